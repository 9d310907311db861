"""The shared cache out of reach (a Redis restart): every read is a miss, every write is dropped, no call
waits long, and the public pages and a signed-in page still answer."""

import os
import time

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from hall.cache import ForgivingRedisCache

pytestmark = pytest.mark.django_db

DEAD = {"default": {"BACKEND": "hall.cache.ForgivingRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}


def _dead_cache() -> ForgivingRedisCache:
    return ForgivingRedisCache("redis://127.0.0.1:1/0", {})


def test_every_call_on_a_dead_server_is_a_quick_miss():
    cache = _dead_cache()
    started = time.monotonic()
    assert cache.get("k", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("k", 1, 60) is False
    cache.set("k", 1, 60)
    cache.set_many({"a": 1}, 60)
    assert cache.has_key("k") is False
    assert cache.delete("k") is False
    cache.delete_many(["a"])
    with pytest.raises(ValueError):
        cache.incr("k")  # as for a missing key: callers already treat that as "start counting again"
    assert time.monotonic() - started < 5


@pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"), reason="needs Redis (CI sets it)"
)
def test_a_live_server_still_caches():
    url = os.environ["CELERY_BROKER_URL"].rsplit("/", 1)[0] + "/15"
    cache = ForgivingRedisCache(url, {})
    cache.set("tongban-test-outage", 41, 30)
    assert cache.incr("tongban-test-outage") == 42
    assert cache.get("tongban-test-outage") == 42
    cache.delete("tongban-test-outage")


def test_pages_answer_while_the_cache_is_down(client, cast):
    with override_settings(CACHES=DEAD, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        try:
            assert client.get(reverse("home")).status_code == 200
            assert client.get(reverse("items:catalogue")).status_code == 200
            client.force_login(cast.citizen)
            assert client.get(reverse("workbench")).status_code == 200
        finally:
            caches["default"].close()
