"""The caller's address behind nginx: X-Forwarded-For counts only when the request comes from a trusted
proxy, and then the address nginx appended (not what a client wrote there) is the caller's."""

import pytest
from django.test import RequestFactory

from hall.security.events import client_ip


@pytest.fixture
def behind_nginx(settings):
    settings.TONGBAN_TRUSTED_PROXIES = ["127.0.0.1", "::1"]


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_remote_address_counts(settings):
    settings.TONGBAN_TRUSTED_PROXIES = []
    assert client_ip(_request("127.0.0.1", "10.1.2.3")) == "127.0.0.1"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("10.1.2.3", "10.1.2.3"),  # nginx saw 10.1.2.3
        ("6.6.6.6, 10.1.2.3", "10.1.2.3"),  # the client wrote 6.6.6.6 itself: nginx appended the real one
        ("10.1.2.3, 127.0.0.1", "10.1.2.3"),  # two proxies on the way, both trusted
        ("", "127.0.0.1"),  # nothing forwarded: the proxy itself
        ("not-an-address", "127.0.0.1"),
    ],
)
def test_behind_nginx_the_address_nginx_saw_counts(behind_nginx, forwarded, expected):
    assert client_ip(_request("127.0.0.1", forwarded)) == expected


def test_a_caller_reaching_the_portal_directly_cannot_pretend(behind_nginx):
    assert client_ip(_request("10.9.9.9", "1.2.3.4")) == "10.9.9.9"
    assert client_ip(None) is None
