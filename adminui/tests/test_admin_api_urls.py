"""The admin API owns /admin/... and the Django admin keeps /admin/db/; the docs need no CDN."""

import re

import pytest
from django.contrib.admin import AdminSite
from django.urls import resolve

pytestmark = pytest.mark.django_db

API_URLS = {
    "/admin/users": "listeners",
    "/admin/users/alice": "listener",
    "/admin/users/alice/poll": "poll-listener",
    "/admin/users/alice/import": "import-export",
    "/admin/sync-runs": "sync-runs",
    "/admin/import-jobs": "import-jobs",
    "/admin/import-jobs/7": "import-job",
    "/admin/logs": "logs",
    "/admin/status": "status",
    "/admin/maintenance/purge-logs": "purge-logs",
    "/admin/docs": "openapi-view",
    "/admin/openapi.json": "openapi-json",
}


@pytest.mark.parametrize(("path", "url_name"), API_URLS.items())
def test_the_documented_api_urls_resolve_to_the_admin_api(path, url_name):
    match = resolve(path)
    assert match.namespace == "admin_api"
    assert match.app_name == "ninja"
    assert match.url_name == url_name
    assert not hasattr(match.func, "admin_site")


def test_the_import_url_passes_the_spotify_user_id_on():
    assert resolve("/admin/users/some.user-42/import").kwargs == {"user_id": "some.user-42"}


def test_the_django_admin_index_still_resolves_to_the_django_admin():
    match = resolve("/admin/db/")
    assert match.namespace == match.app_name == "admin"
    assert match.url_name == "index"
    assert isinstance(match.func.admin_site, AdminSite)
    assert match.func.admin_site.name == "admin"


def test_the_django_admin_model_pages_still_resolve_to_the_django_admin():
    match = resolve("/admin/db/accounts/listener/")
    assert match.namespace == "admin"
    assert match.url_name == "accounts_listener_changelist"
    assert match.func.model_admin.model._meta.label == "accounts.Listener"
    assert isinstance(match.func.model_admin.admin_site, AdminSite)


def test_the_django_admin_pages_still_answer(admin_client, client):
    assert admin_client.get("/admin/db/").status_code == 200
    assert admin_client.get("/admin/db/accounts/listener/").status_code == 200
    anonymous = client.get("/admin/db/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/db/login/")


def test_the_openapi_document_is_public_and_lists_every_endpoint(client):
    response = client.get("/admin/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "spotify-history admin API"
    assert document["info"]["version"] == "1.0"
    assert set(document["paths"]) == {
        "/admin/users",
        "/admin/users/{user_id}",
        "/admin/users/{user_id}/poll",
        "/admin/users/{user_id}/import",
        "/admin/users/{user_id}/export",
        "/admin/sync-runs",
        "/admin/import-jobs",
        "/admin/import-jobs/{job_id}",
        "/admin/logs",
        "/admin/status",
        "/admin/maintenance/purge-logs",
    }
    upload = document["paths"]["/admin/users/{user_id}/import"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert set(upload["responses"]) >= {"202", "401", "404", "413"}


@pytest.mark.parametrize(("mode", "scheme"), [("token", "bearer"), ("basic", "basic")])
def test_the_openapi_document_names_the_active_auth_scheme(client, settings, mode, scheme):
    settings.ADMIN_AUTH_MODE = mode
    document = client.get("/admin/openapi.json").json()
    assert document["components"]["securitySchemes"] == {
        "AdminAuth": {"type": "http", "scheme": scheme}
    }
    purge = document["paths"]["/admin/maintenance/purge-logs"]["post"]
    assert purge["security"] == [{"AdminAuth": []}]


def test_the_docs_page_is_public_and_loads_nothing_from_another_host(client):
    response = client.get("/admin/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>spotify-history admin API</title>" in html
    assert "/admin/openapi.json" in html
    assert '"validatorUrl": null' in html
    assert "//" not in "".join(re.findall(r'(?:src|href)="([^"]*)"', html))
    assert "cdn" not in html.lower()


def test_the_docs_page_assets_are_ninjas_bundled_static_files(client):
    html = client.get("/admin/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/ninja/"), asset
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert b"".join(response.streaming_content)


def test_the_docs_page_renders_in_a_browser_with_nothing_from_another_host(live_server, chromium):
    requested = []
    with chromium() as page:
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{live_server.url}/admin/docs")
        page.get_by_text("/admin/maintenance/purge-logs").wait_for()
        shown = page.locator("#swagger-ui").inner_text()

    assert "/admin/users/{user_id}/import" in shown
    assert "Authorize" in shown
    assert requested
    assert [url for url in requested if not url.startswith(live_server.url)] == []
