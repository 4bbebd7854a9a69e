"""Encryption of Spotify tokens at rest, with key rotation.

TOKEN_ENCRYPTION_KEY holds one or more Fernet keys, newest first: new ciphertext is made with the
first, and any of them decrypts. Keys come only from that setting (never derived from
SECRET_KEY), and ciphertext never expires (no Fernet ttl): a refresh token is valid for months.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class TokenDecryptionError(Exception):
    """Stored ciphertext that none of the configured keys can decrypt."""


def _fernet():
    keys = settings.TOKEN_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("TOKEN_ENCRYPTION_KEY is not set, so tokens cannot be stored")
    try:
        return MultiFernet([Fernet(key.strip()) for key in keys])
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "TOKEN_ENCRYPTION_KEY holds a key that is not a valid Fernet key"
        ) from None


def encrypt_token(plaintext: str) -> str:
    """Ciphertext of `plaintext` under the newest key."""
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt_token(ciphertext: str) -> str:
    """The plaintext of stored ciphertext; TokenDecryptionError when no configured key fits."""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise TokenDecryptionError(
            "a stored token can't be decrypted with any key in TOKEN_ENCRYPTION_KEY "
            "(was the key that encrypted it removed?)"
        ) from None


def reencrypt_token(ciphertext: str) -> str:
    """The same token re-encrypted under the newest key (for key rotation)."""
    try:
        return _fernet().rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise TokenDecryptionError(
            "a stored token can't be decrypted with any key in TOKEN_ENCRYPTION_KEY"
        ) from None
