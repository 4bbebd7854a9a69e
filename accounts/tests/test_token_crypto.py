"""Tokens are stored as Fernet ciphertext, decryptable with any configured key, rotatable."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.crypto import TokenDecryptionError, decrypt_token, encrypt_token
from accounts.models import Listener

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def test_it_round_trips_a_token_through_ciphertext(settings):
    ciphertext = encrypt_token("AQB-refresh-token")
    assert "AQB-refresh-token" not in ciphertext
    assert decrypt_token(ciphertext) == "AQB-refresh-token"


def test_it_encrypts_with_the_first_key_and_decrypts_with_any(settings):
    settings.TOKEN_ENCRYPTION_KEYS = [OLD_KEY]
    old_ciphertext = encrypt_token("token")
    settings.TOKEN_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert decrypt_token(old_ciphertext) == "token"
    new_ciphertext = encrypt_token("token")
    assert Fernet(NEW_KEY).decrypt(new_ciphertext.encode()) == b"token"


def test_it_says_clearly_when_no_configured_key_decrypts(settings):
    settings.TOKEN_ENCRYPTION_KEYS = [OLD_KEY]
    ciphertext = encrypt_token("token")
    settings.TOKEN_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(TokenDecryptionError, match="can't be decrypted with any key"):
        decrypt_token(ciphertext)


@pytest.mark.django_db
def test_rotate_token_keys_reencrypts_so_the_old_key_can_be_dropped(settings, capsys):
    settings.TOKEN_ENCRYPTION_KEYS = [OLD_KEY]
    Listener.objects.create(
        spotify_user_id="alice",
        encrypted_refresh_token=encrypt_token("refresh-a"),
        encrypted_access_token=encrypt_token("access-a"),
    )
    Listener.objects.create(spotify_user_id="bob")  # import-only: no tokens
    settings.TOKEN_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("rotate_token_keys")
    assert "Re-encrypted the tokens of 1 listener(s)" in capsys.readouterr().out

    settings.TOKEN_ENCRYPTION_KEYS = [NEW_KEY]
    alice = Listener.objects.get(spotify_user_id="alice")
    assert decrypt_token(alice.encrypted_refresh_token) == "refresh-a"
    assert decrypt_token(alice.encrypted_access_token) == "access-a"
    assert Listener.objects.get(spotify_user_id="bob").encrypted_refresh_token == ""


@pytest.mark.django_db
def test_rotate_token_keys_names_listeners_whose_tokens_no_key_decrypts(settings):
    settings.TOKEN_ENCRYPTION_KEYS = [OLD_KEY]
    Listener.objects.create(spotify_user_id="lost", encrypted_refresh_token=encrypt_token("r"))
    settings.TOKEN_ENCRYPTION_KEYS = [NEW_KEY]
    Listener.objects.create(spotify_user_id="fine", encrypted_refresh_token=encrypt_token("r"))
    with pytest.raises(CommandError, match=r"1 listener\(s\) have tokens .*\(lost\)"):
        call_command("rotate_token_keys")
    assert decrypt_token(Listener.objects.get(spotify_user_id="fine").encrypted_refresh_token)
