"""Imports of Spotify's "Download your data" exports."""

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports"

    def ready(self):
        from django.db.models.signals import pre_delete

        from accounts.models import Listener
        from imports.jobs import remove_uploads_of

        # Every way of deleting a listener (pages, admin API, Django admin) removes their files.
        pre_delete.connect(remove_uploads_of, sender=Listener, dispatch_uid="imports.uploads")
