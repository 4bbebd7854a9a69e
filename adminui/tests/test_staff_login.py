"""/login and /logout: Django's auth for the operator, and only staff accounts get in."""

import pytest
from django.contrib.auth import get_user_model

from adminui.tests.conftest import STAFF_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_login_form_renders_with_a_csrf_token(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content
    assert b"Operator login" in response.content


def test_a_staff_account_logs_in_and_lands_on_the_page_it_asked_for(client, staff_user):
    response = client.post(
        "/login", {"username": "operator", "password": STAFF_PASSWORD, "next": "/jobs"}
    )
    assert (response.status_code, response["Location"]) == (302, "/jobs")
    assert client.get("/jobs").status_code == 200


def test_without_next_the_login_leads_to_the_dashboard(client, staff_user):
    response = client.post("/login", {"username": "operator", "password": STAFF_PASSWORD})
    assert response["Location"] == "/"


def test_a_wrong_password_is_refused_with_a_message(client, staff_user):
    response = client.post("/login", {"username": "operator", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert client.get("/").status_code == 302


def test_an_account_that_is_not_staff_is_refused_and_told_why(client):
    get_user_model().objects.create_user("visitor", password="visitor-password-77")
    response = client.post("/login", {"username": "visitor", "password": "visitor-password-77"})
    assert response.status_code == 200
    assert b"not a staff account" in response.content
    assert "_auth_user_id" not in client.session


def test_an_offsite_next_is_ignored(client, staff_user):
    response = client.post(
        "/login",
        {"username": "operator", "password": STAFF_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_logout_is_a_post_and_ends_the_staff_session(staff_client):
    assert staff_client.get("/logout").status_code == 405
    response = staff_client.post("/logout")
    assert (response.status_code, response["Location"]) == (302, "/login")
    assert staff_client.get("/").status_code == 302


def test_every_operator_page_has_a_logout_button_with_a_csrf_token(staff_client):
    page = staff_client.get("/").content.decode()
    assert 'action="/logout"' in page
    assert page.count('name="csrfmiddlewaretoken"') >= 1
