"""The catalogue and the plays: the one insert path, the one query module, and the poller."""

from django.apps import AppConfig


class PlaysConfig(AppConfig):
    name = "plays"
    verbose_name = "Plays"
