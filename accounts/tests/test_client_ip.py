"""accounts.client_ip: the client's address, directly or behind the deployment's proxy."""

import pytest
from django.test import RequestFactory

from accounts.client_ip import client_ip


def request(remote="192.0.2.10", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_directly_connected_it_is_the_remote_address_whatever_the_headers_say(settings):
    settings.TRUST_X_FORWARDED_FOR = False
    assert client_ip(request(forwarded="203.0.113.5")) == "192.0.2.10"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("1.1.1.1, 203.0.113.5", "203.0.113.5"),  # the client's own entries are not believed
        ("2001:db8::1", "2001:db8::1"),
        ("", "192.0.2.10"),
        ("not an address", "192.0.2.10"),
        (None, "192.0.2.10"),
    ],
)
def test_behind_the_proxy_it_is_the_address_the_proxy_appended(settings, forwarded, expected):
    settings.TRUST_X_FORWARDED_FOR = True
    assert client_ip(request(forwarded=forwarded)) == expected
