"""The catalogue and the plays: the one insert path, the one query module, and the poller."""

from django.apps import AppConfig


class PlaysConfig(AppConfig):
    name = "plays"
    verbose_name = "Plays"

    def ready(self):
        from accounts.signals import listener_connected
        from plays.tasks import request_poll_after_login

        listener_connected.connect(request_poll_after_login, dispatch_uid="plays.first_poll")

        from django.db.models.signals import post_delete, pre_delete

        from accounts.models import Listener
        from plays.forgetting import forget_catalogue_of
        from plays.rollups import forget_listener

        pre_delete.connect(
            forget_catalogue_of, sender=Listener, dispatch_uid="plays.forget_catalogue"
        )
        post_delete.connect(forget_listener, sender=Listener, dispatch_uid="plays.forget_rollups")
