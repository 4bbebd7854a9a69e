"""Listeners, their encrypted Spotify tokens, the Spotify HTTP client, OAuth views and the
structured log."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"
