"""The project package as an app: it registers the configuration checks and keeps the worker's
schedules in step with the settings after every `migrate`."""

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class SpotifyHistoryConfig(AppConfig):
    name = "spotify_history"
    verbose_name = "Spotify history"

    def ready(self):
        from spotify_history import checks  # noqa: F401  (registers the checks)
        from spotify_history.schedules import ensure_schedules_after_migrate

        # Sent once django_q's own tables are migrated; this app has no models of its own, and
        # Django sends post_migrate only for apps that have.
        post_migrate.connect(ensure_schedules_after_migrate, sender=apps.get_app_config("django_q"))
