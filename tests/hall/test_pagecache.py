"""The page cache (hall/pagecache.py): generations read at most once a second per process, raised at once
in the process that changes the data, started from the clock when missing; the visitor's CSRF token."""

import time

import pytest
from django.core.cache import cache as shared_cache
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token
from django.test import RequestFactory

from hall import pagecache


@pytest.fixture(autouse=True)
def _empty():
    pagecache.local.clear()
    shared_cache.clear()
    yield
    pagecache.local.clear()
    shared_cache.clear()


def test_a_missing_generation_starts_from_the_clock_not_from_a_number_it_had():
    assert pagecache.generation("things") > time.time_ns() // 1000 - 60_000_000


@pytest.mark.django_db
def test_this_process_sees_its_own_bump_at_once(django_capture_on_commit_callbacks):
    before = pagecache.generation("things")
    with django_capture_on_commit_callbacks(execute=True):
        pagecache.generation_bump("things")
        assert pagecache.generation("things") == before + 1
    assert pagecache.generation("things") == before + 2  # again once committed


def test_another_process_bump_is_seen_within_a_second(monkeypatch):
    before = pagecache.generation("things")
    shared_cache.incr(pagecache.GENERATION_KEY + "things")  # as another process or machine does
    assert pagecache.generation("things") == before  # no round trip to the shared cache
    a_second_later = time.monotonic() + pagecache.GENERATION_SECONDS + 0.01
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: a_second_later)
    assert pagecache.generation("things") == before + 1


@pytest.mark.django_db
def test_a_bump_without_a_counter_starts_one():
    pagecache.generation_bump("things")
    assert shared_cache.get(pagecache.GENERATION_KEY + "things") > 1


@pytest.mark.parametrize("cookie", [None, "a" * 16 + "Z9" * 8])
def test_the_visitor_token_is_their_secret_masked_afresh(cookie):
    tokens = set()
    for _ in range(2):
        request = RequestFactory().get("/")
        if cookie:
            request.META["CSRF_COOKIE"] = cookie
        token = pagecache.visitor_csrf_token(request)
        assert len(token) == 64 and token.isalnum()
        assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
        assert request.META["CSRF_COOKIE_NEEDS_UPDATE"]
        if cookie:
            assert request.META["CSRF_COOKIE"] == cookie
        tokens.add(token)
    assert len(tokens) == 2


def test_pages_of_a_generation_that_cannot_be_read_are_not_cached(monkeypatch, rf):
    monkeypatch.setattr(pagecache, "generation", lambda name: 0)
    served = []

    @pagecache.anonymous_page("things", generation_of="things")
    def view(request):
        served.append(1)
        return HttpResponse("<p>things</p>")

    for _ in range(2):
        request = rf.get("/things/")
        request.COOKIES = {}
        assert view(request).status_code == 200
    assert len(served) == 2


def test_local_copies_keep_a_made_value_until_they_are_full():
    from hall.pagecache import LocalCopies

    copies, made = LocalCopies(entries=2), []

    def make(value):
        made.append(value)
        return value

    assert copies.kept("a", lambda: make(1)) == 1
    assert copies.kept("a", lambda: make(2)) == 1
    copies.kept("b", lambda: make(3))
    copies.kept("c", lambda: make(4))  # full: starts afresh
    assert copies.kept("a", lambda: make(5)) == 5
    assert made == [1, 3, 4, 5]
