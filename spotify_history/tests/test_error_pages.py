"""With DEBUG off (production, and `make run` too) errors get the service's own pages: styled like
every page, saying what happened in words, with a way back; the 500 page renders with no
database and no request."""

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.views.defaults import server_error

WAYS_BACK = ('href="/me"', 'href="/"', "app.css")


def looks_like_ours(page):
    return all(part in page for part in WAYS_BACK) and "Spotify history" in page


@pytest.mark.django_db
def test_a_missing_page_is_our_404_not_the_list_of_url_patterns(client, settings):
    assert settings.DEBUG is False
    response = client.get("/no/such/page")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and "<code>/no/such/page</code>" in page
    assert looks_like_ours(page)
    assert "URLconf" not in page and "admin/db/" not in page


@pytest.mark.django_db
def test_a_page_that_is_not_yours_is_our_403(client):
    user = get_user_model().objects.create_user("not-staff", password="pw-12345-long")
    client.force_login(user)
    response = client.get("/jobs")
    page = response.content.decode()
    assert response.status_code == 403
    assert "This page is for the operator&#x27;s staff accounts only." in page
    assert looks_like_ours(page)


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_our_expired_form_page():
    response = Client(enforce_csrf_checks=True).post("/login", {"username": "x", "password": "y"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "This form has expired" in page and looks_like_ours(page)


@pytest.mark.django_db
def test_an_unknown_host_is_our_400(client):
    response = client.get("/login", headers={"host": "evil.example"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "This request can't be answered" in page and looks_like_ours(page)


def test_the_500_page_renders_without_a_database_or_a_request():
    # No django_db mark: any database query here fails the test.
    page = render_to_string("500.html")
    assert "Something went wrong" in page and looks_like_ours(page)
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_a_page_that_fails_because_the_database_is_gone_gets_the_500_page():
    # No django_db mark: the session lookup of /me fails as it would with the database down.
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a-session-that-needs-the-database"
    response = client.get("/me")
    assert response.status_code == 500
    assert looks_like_ours(response.content.decode())


@pytest.mark.django_db
def test_the_unconfigured_login_page_offers_no_login_button(client, settings):
    settings.SPOTIFY_CLIENT_ID = ""
    response = client.get("/auth/login")
    page = response.content.decode()
    assert response.status_code == 503
    assert "Spotify login is not configured" in page
    assert 'href="/auth/login"' not in page
    assert looks_like_ours(page)
