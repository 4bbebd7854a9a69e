"""accounts.origins: which requests a browser sent from another site's page."""

import pytest
from django.test import RequestFactory

from accounts.origins import is_cross_site, is_cross_site_write, own_origin


def request(method="POST", **headers):
    return RequestFactory().generic(method, "/admin/x", headers=headers)


def test_the_own_origin_is_scheme_host_and_port(settings):
    settings.ALLOWED_HOSTS = ["testserver", "h.example"]
    assert own_origin(request()) == "http://testserver"
    secure = RequestFactory().post("/x", secure=True, headers={"Host": "h.example:8443"})
    assert own_origin(secure) == "https://h.example:8443"


@pytest.mark.parametrize(
    ("headers", "cross_site"),
    [
        ({}, False),
        ({"Origin": "http://testserver"}, False),
        ({"Origin": "http://testserver/"}, False),
        ({"Origin": "https://history.example.org"}, False),
        ({"Origin": "https://testserver"}, True),
        ({"Origin": "http://testserver:8000"}, True),
        ({"Origin": "https://evil.example"}, True),
        ({"Origin": "null"}, True),
        ({"Sec-Fetch-Site": "same-origin"}, False),
        ({"Sec-Fetch-Site": "same-site"}, False),
        ({"Sec-Fetch-Site": "none"}, False),
        ({"Sec-Fetch-Site": "cross-site"}, True),
        ({"Sec-Fetch-Site": "Cross-Site", "Origin": "http://testserver"}, True),
        ({"Sec-Fetch-Site": "same-site", "Origin": "https://sibling.example.org"}, True),
    ],
)
def test_a_request_is_cross_site_when_its_origin_or_fetch_site_says_so(
    settings, headers, cross_site
):
    settings.CSRF_TRUSTED_ORIGINS = ["https://history.example.org"]
    assert is_cross_site(request(**headers)) is cross_site


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_state_changing_methods_from_another_site_are_writes_to_refuse(method):
    assert is_cross_site_write(request(method, Origin="https://evil.example"))


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_reads_are_not_writes(method):
    assert not is_cross_site_write(request(method, Origin="https://evil.example"))
