"""Creates or updates the staff account of ADMIN_USERNAME / ADMIN_PASSWORD.

`migrate` already does this on every start; the command is for changing the password of a
running deployment without a migration, and says what it did.
"""

from django.core.management.base import BaseCommand, CommandError

from adminui.staff_account import NOT_CONFIGURED, sync_staff_account


class Command(BaseCommand):
    help = "Create or update the staff account named by ADMIN_USERNAME with ADMIN_PASSWORD."

    def handle(self, *args, **options):
        outcome = sync_staff_account()
        if outcome == NOT_CONFIGURED:
            raise CommandError("Set both ADMIN_USERNAME and ADMIN_PASSWORD first.")
        self.stdout.write(f"Staff account: {outcome}.")
