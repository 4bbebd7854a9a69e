"""URL map of the whole service."""

from django.contrib import admin
from django.urls import include, path

from spotify_history import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("auth/", include("accounts.urls")),
    # The Django admin lives under /admin/db/ because the admin API owns /admin/... (see
    # ../shared/reference/django-notes.md: the admin site's catch-all would hide it).
    path("admin/db/", admin.site.urls),
]
