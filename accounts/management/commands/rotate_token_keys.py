"""Re-encrypts every stored Spotify token under the newest TOKEN_ENCRYPTION_KEY.

Key rotation: put the new key first in TOKEN_ENCRYPTION_KEY (`NEW,OLD`), restart, run this, then
remove the old key. Until this has run, ciphertext made with the old key still needs it.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.crypto import TokenDecryptionError, reencrypt_token
from accounts.models import Listener

FIELDS = ("encrypted_refresh_token", "encrypted_access_token")


class Command(BaseCommand):
    help = "Re-encrypt every stored Spotify token under the newest TOKEN_ENCRYPTION_KEY."

    def handle(self, *args, **options):
        rotated, failed = 0, []
        for listener_id in Listener.objects.order_by("pk").values_list("pk", flat=True):
            with transaction.atomic():
                listener = Listener.objects.select_for_update().get(pk=listener_id)
                try:
                    changed = {
                        field: reencrypt_token(getattr(listener, field))
                        for field in FIELDS
                        if getattr(listener, field)
                    }
                except TokenDecryptionError:
                    failed.append(listener.spotify_user_id)
                    continue
                if changed:
                    Listener.objects.filter(pk=listener.pk).update(**changed)
                    rotated += 1
        self.stdout.write(f"Re-encrypted the tokens of {rotated} listener(s) under the newest key.")
        if failed:
            raise CommandError(
                f"{len(failed)} listener(s) have tokens no configured key can decrypt "
                f"({', '.join(failed)}); they must log in with Spotify again."
            )
