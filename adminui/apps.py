"""Operator and listener pages and the admin API."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AdminuiConfig(AppConfig):
    name = "adminui"
    verbose_name = "Operator pages"

    def ready(self):
        from django.db.models.signals import post_delete, pre_delete

        from accounts.models import Listener
        from adminui import admin_log
        from adminui.page_limits import forget_listener
        from adminui.staff_account import sync_after_migrate

        post_delete.connect(
            forget_listener, sender=Listener, dispatch_uid="adminui.page_rate_counter"
        )
        pre_delete.connect(
            admin_log.forget_listener, sender=Listener, dispatch_uid="adminui.admin_log"
        )

        # post_migrate is sent once per app that has models: listening to the
        # auth app's alone runs the sync once per migrate, with the user table in place.
        post_migrate.connect(
            sync_after_migrate,
            sender=self.apps.get_app_config("auth"),
            dispatch_uid="adminui.staff_sync",
        )
