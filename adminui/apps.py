"""Operator and listener pages and the admin API."""

from django.apps import AppConfig


class AdminuiConfig(AppConfig):
    name = "adminui"
    verbose_name = "Operator pages"
