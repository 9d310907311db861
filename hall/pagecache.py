"""Whole pages for anonymous visitors, and values rendered from changing data, from the shared cache
(Redis when CACHE_URL is set) with a copy in each process's memory in front of it (docs/caching.md).

A page that is the same for every visitor without a login (the home page, the login and registration
forms, the progress lookup form, the public catalogue, service guides and bundles, the public rating
figures, the document verification page, the calling screen's frame) is rendered once per path, language
and display preference (large text) and served from the cache to every such visitor. Never for a
logged-in visitor or anyone with a session or pending messages (their pages carry their name and their
messages), never for anything but a plain GET answered 200, and never with a cookie: the only per-visitor
part, the CSRF token of the page's forms, is stored as a marker and replaced with the visitor's own token
on the way out (CsrfViewMiddleware then sets the visitor's CSRF cookie as usual).

Pages drawn from data that changes carry a generation in their key: a counter in the shared cache that the
change raises (generation_bump), so every page cached from the old data is dropped at once, in every
process, without scanning keys. Each process reads a generation at most once per GENERATION_SECONDS and
keeps its copies of pages and values in its own memory (`local`), so a page served from a warm process
costs no network round trip at all; a change reaches every process within GENERATION_SECONDS of its commit.
"""

import functools
import hashlib
import math
import re
import secrets
import time

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.utils.translation import get_language

CSRF_MARKER = "tongban-page-csrf-3f9a1c"
CSRF_MARKER_BYTES = CSRF_MARKER.encode()
TOKEN_RE = re.compile(r'(name="csrfmiddlewaretoken" value=")([^"]+)(")')
# How long a process trusts the generation it last read: the bound on how late a change made by another
# process (a catalogue publication, a rating) reaches the pages this one serves.
GENERATION_SECONDS = 1.0
GENERATION_KEY = "tongban:page-generation:"
# Headers of the view's own response that are kept with the page (the middleware adds the others).
KEPT_HEADERS = ("Content-Type", "Cache-Control", "Expires", "Content-Language")
# Paths longer than this (a long search) are keyed by their digest (a cache key stays short).
LONGEST_PATH_IN_KEY = 200


class LocalCopies:
    """Values kept in this process's memory until their own expiry: a plain dict (no pickling, no lock;
    a gunicorn sync worker serves one request at a time), emptied when it passes `entries`. The one bounded
    per-process memory of the portal: pages, navbars, rendered empty forms, masked ID numbers."""

    def __init__(self, entries: int = 500):
        self.entries = entries
        self._values: dict[object, tuple[float, object]] = {}

    def get(self, key):
        entry = self._values.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        return None

    def set(self, key, value, seconds: float) -> None:
        if len(self._values) >= self.entries:
            self._values.clear()
        self._values[key] = (time.monotonic() + seconds, value)

    def clear(self) -> None:
        self._values.clear()

    def kept(self, key, make, seconds: float = math.inf):
        """The value kept under `key`, made by `make()` and kept for `seconds` (for ever by default: for a
        value whose key names everything it depends on) when there is none."""
        value = self.get(key)
        if value is None:
            value = make()
            self.set(key, value, seconds)
        return value


local = LocalCopies()


def cacheable_request(request) -> bool:
    """A plain GET of a visitor without a session, messages or an htmx fragment request."""
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
        and "HTTP_HX_REQUEST" not in request.META
    )


def generation(name: str) -> int:
    """The counter that a change of the data of the values keyed by it raises (generation_bump), as read
    from the shared cache at most GENERATION_SECONDS ago. A counter that is not there (never raised, or
    the cache was emptied) starts from the clock, so that it never falls back to a number it had before."""
    key = GENERATION_KEY + name
    value = local.get(key)
    if value is None:
        value = shared_cache.get(key)
        if value is None:
            shared_cache.add(key, time.time_ns() // 1000, None)
            value = shared_cache.get(key) or 0  # 0: the shared cache is out of reach (nothing is cached)
        local.set(key, value, GENERATION_SECONDS)
    return value


def generation_bump(name: str) -> None:
    """Drop every value keyed by generation `name`, in every process within GENERATION_SECONDS (in this
    one at once): now, and again once the current transaction commits (a value cached from the old data
    in between is dropped too)."""

    def bump():
        key = GENERATION_KEY + name
        try:
            value = shared_cache.incr(key)
        except ValueError:  # not counted yet, the cache was emptied, or it is out of reach
            value = time.time_ns() // 1000
            shared_cache.set(key, value, None)
        local.set(key, value, GENERATION_SECONDS)

    bump()
    transaction.on_commit(bump)


def cached_value(key: str, render, seconds: int):
    """The value stored under `key` (this process's copy, else the shared one), made by `render()` and
    stored in both on a miss. `key` must name everything the value depends on (language, generation)."""
    value = local.get(key)
    if value is None:
        value = shared_cache.get(key)
        if value is None:
            value = render()
            shared_cache.set(key, value, seconds)
        local.set(key, value, seconds)
    return value


def page_key(request, kind: str, generation_of="") -> str | None:
    """The page's key, or None while its generation cannot be read (the page is then not cached: a
    change made meanwhile could not drop it)."""
    counted = generation(generation_of) if generation_of else ""
    if counted == 0:
        return None
    path = request.get_full_path()
    if len(path) > LONGEST_PATH_IN_KEY:
        path = hashlib.sha256(path.encode()).hexdigest()
    return f"tongban:pages:{kind}:{counted}:{get_language() or ''}:{request.COOKIES.get('tb_large_text', '')}:{path}"


def _stored(key: str):
    value = local.get(key)
    if value is None:
        value = shared_cache.get(key)
        if value is not None:
            local.set(key, value, value[2])
    return value


def _store(key: str, response, seconds: int):
    charset = response.charset
    body = TOKEN_RE.sub(rf"\g<1>{CSRF_MARKER}\g<3>", response.content.decode(charset)).encode(charset)
    headers = tuple((name, response[name]) for name in KEPT_HEADERS if response.has_header(name))
    value = (body, headers, seconds)
    shared_cache.set(key, value, seconds)
    local.set(key, value, seconds)


# Random bytes to CSRF_ALLOWED_CHARS: bytes 0-247 map to its 62 characters four times over, 248-255 are
# dropped (so that every character is equally likely).
_CHAR_OF_BYTE = bytes(ord(CSRF_ALLOWED_CHARS[b % len(CSRF_ALLOWED_CHARS)]) for b in range(256))
_UNEVEN_BYTES = bytes(range(len(CSRF_ALLOWED_CHARS) * 4, 256))
_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}


def _random_chars(count: int) -> str:
    chars = b""
    while len(chars) < count:
        chars += secrets.token_bytes(count + 16).translate(_CHAR_OF_BYTE, _UNEVEN_BYTES)
    return chars[:count].decode("ascii")


def visitor_csrf_token(request) -> str:
    """The visitor's CSRF token for a form, exactly as django.middleware.csrf.get_token() makes it (the
    visitor's secret, or a new one that CsrfViewMiddleware then sets as their cookie, masked with a fresh
    random mask), drawn from one read of the system's random source instead of one per character: on a
    page served from the cache this was most of the work of the request."""
    if settings.CSRF_USE_SESSIONS:
        return get_token(request)
    secret = request.META.get("CSRF_COOKIE") or _random_chars(CSRF_SECRET_LENGTH)
    request.META["CSRF_COOKIE"] = secret
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # set (or renewed) on the way out, as get_token() does
    mask = _random_chars(CSRF_SECRET_LENGTH)
    chars, index, base = CSRF_ALLOWED_CHARS, _INDEX, len(CSRF_ALLOWED_CHARS)
    return mask + "".join([chars[(index[s] + index[m]) % base] for s, m in zip(secret, mask, strict=True)])


def _served(request, value) -> HttpResponse:
    body, headers, _seconds = value
    if CSRF_MARKER_BYTES in body:
        body = body.replace(CSRF_MARKER_BYTES, visitor_csrf_token(request).encode())
    response = HttpResponse(body)
    for name, header in headers:
        response[name] = header
    return response


def anonymous_page(kind: str, seconds: int = 300, generation_of=""):
    """Serve the decorated view's page from the cache to visitors without a session (see above), for
    `seconds` at most, or until its generation changes: `generation_of` names a generation raised by
    generation_bump()."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            key = page_key(request, kind, generation_of) if cacheable_request(request) else None
            if key is None:
                return view(request, *args, **kwargs)
            value = _stored(key)
            if value is not None:
                return _served(request, value)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if (
                response.status_code == 200
                and set(response.cookies) <= {settings.CSRF_COOKIE_NAME}  # set again per visitor (above)
                and not getattr(getattr(request, "session", None), "modified", False)
                and not getattr(response, "streaming", False)
                and response.get("Content-Type", "").startswith("text/html")
            ):
                _store(key, response, seconds)
            return response

        return wrapper

    return decorate
