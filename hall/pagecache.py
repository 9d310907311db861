"""Whole pages for anonymous visitors, from the shared cache (Redis when CACHE_URL is set).

A page that is the same for every visitor without a login (the home page, the login and registration
forms, the progress lookup form, the public rating figures) is rendered once per path, language and
display preference (large text) and served from the cache to every such visitor until it expires. Never
for a logged-in visitor or anyone with a session or pending messages (their pages carry their name and
their messages), never for anything but a plain GET answered 200, and never with a cookie: the only
per-visitor part, the CSRF token of the page's forms, is stored as a marker and replaced with the
visitor's own token on the way out (CsrfViewMiddleware then sets the visitor's CSRF cookie as usual).

Each process keeps a copy for a few seconds (LOCAL_SECONDS) in front of the shared cache, so that a busy
page costs no network round trip per request.
"""

import functools
import re
import time

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

CSRF_MARKER = "tongban-page-csrf-3f9a1c"
TOKEN_RE = re.compile(r'(name="csrfmiddlewaretoken" value=")([^"]+)(")')
LOCAL_SECONDS = 5.0
# Headers of the view's own response that are kept with the page (the middleware adds the others).
KEPT_HEADERS = ("Content-Type", "Cache-Control", "Expires", "Content-Language")

_local: dict[str, tuple[float, tuple]] = {}


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
    """A counter in the shared cache that a change of the pages' data raises (their keys carry it)."""
    return shared_cache.get(f"tongban:page-generation:{name}") or 0


def generation_bump(name: str) -> None:
    """Drop every cached page keyed by generation `name`: now, and again once the current transaction
    commits (a page cached from the old data in between is dropped too)."""

    def bump():
        key = f"tongban:page-generation:{name}"
        try:
            shared_cache.incr(key)
        except ValueError:  # not counted yet (or the cache was emptied): start the count
            shared_cache.set(key, 1, None)

    bump()
    transaction.on_commit(bump)


def page_key(request, kind: str, generation_of="") -> str:
    return ":".join(
        (
            "tongban:page",
            kind,
            str(generation(generation_of)) if generation_of else "",
            get_language() or "",
            request.COOKIES.get("tb_large_text", ""),
            request.get_full_path(),
        )
    )


def _stored(key: str):
    now = time.monotonic()
    local = _local.get(key)
    if local is not None and local[0] > now:
        return local[1]
    value = shared_cache.get(key)
    if value is not None:
        if len(_local) > 500:
            _local.clear()
        _local[key] = (now + LOCAL_SECONDS, value)
    return value


def _store(key: str, response, seconds: int):
    body = TOKEN_RE.sub(rf"\g<1>{CSRF_MARKER}\g<3>", response.content.decode(response.charset))
    headers = tuple((name, response[name]) for name in KEPT_HEADERS if response.has_header(name))
    value = (body, headers)
    shared_cache.set(key, value, seconds)
    _local[key] = (time.monotonic() + LOCAL_SECONDS, value)


def _served(request, value) -> HttpResponse:
    body, headers = value
    if CSRF_MARKER in body:
        body = body.replace(CSRF_MARKER, get_token(request))
    response = HttpResponse(body)
    for name, header in headers:
        response[name] = header
    return response


def anonymous_page(kind: str, seconds: int = 300, generation_of=""):
    """Serve the decorated view's page from the shared cache to visitors without a session (see above),
    for `seconds` at most, or until its generation changes: `generation_of` names a generation raised by
    generation_bump()."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not cacheable_request(request):
                return view(request, *args, **kwargs)
            key = page_key(request, kind, generation_of)
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
