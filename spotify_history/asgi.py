"""ASGI entry point, for servers that prefer it (the container uses WSGI with gunicorn)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spotify_history.settings")

application = get_asgi_application()
