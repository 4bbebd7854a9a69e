"""URL map of the whole service."""

from django.contrib import admin
from django.urls import include, path

from adminui.api import admin_api
from adminui.metrics import metrics
from spotify_history import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Prometheus' scrape (adminui.metrics): the ADMIN_TOKEN or an allowed scraper address.
    path("metrics", metrics, name="metrics"),
    path("auth/", include("accounts.urls")),
    # The admin API owns /admin/... (the deployment guide's URLs), so the Django admin moves to
    # /admin/db/. It comes first: its catch-all then only covers /admin/db/..., and the API's own
    # routes (among them a "" root at /admin/) never see those paths. See
    # ../shared/reference/django-notes.md, "URL pitfall"; adminui/tests/test_admin_api_urls.py
    # resolves every documented URL.
    path("admin/db/", admin.site.urls),
    path("admin/", admin_api.urls),
    # The MCP authorization server: /.well-known/oauth-*, /.well-known/openid-configuration and
    # /oauth/... (mcp/oauth/urls.py).
    path("", include("mcp.oauth.urls")),
    # /mcp (the MCP endpoint), /mcp/tools, /mcp/call and /mcp/openapi.json.
    path("", include("mcp.urls")),
    # The operator's and listeners' pages: /, /login, /listeners/..., /imports, /jobs, /logs, /me.
    path("", include("adminui.urls")),
]
