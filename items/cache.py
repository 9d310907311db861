"""Cached fragments and pages of the public catalogue (DESIGN.md speed notes, docs/adr/0007).

Every key carries the catalogue's generation (`CatalogueState`, one row). Publishing raises it, so
every cached page is dropped at once without scanning keys. Each process keeps its pages in its
own memory and reads the generation at most once per `CHECK_SECONDS`, so no process serves a page
more than that long after the publication that changed it."""

import hashlib
import time

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.db.models import F
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.translation import get_language

TIMEOUT_SECONDS = 3600
CHECK_SECONDS = 1.0

# The rendered pages live in each process's memory, and in the shared cache (Redis, when CACHE_URL is
# set) behind it: a process reads the shared copy only on a miss of its own (a Redis read of a 60 KB page
# costs 1-3 ms on these machines, too much for every request). The generation that invalidates them is
# in the database and in every key, so both copies are exact.
cache = LocMemCache("items-catalogue-pages", {"TIMEOUT": TIMEOUT_SECONDS, "OPTIONS": {"MAX_ENTRIES": 500}})

_last = {"generation": None, "checked": 0.0}


def _read_generation() -> int:
    from .models import CatalogueState

    generation = CatalogueState.objects.filter(pk=1).values_list("generation", flat=True).first()
    if generation is None:
        generation = CatalogueState.objects.get_or_create(pk=1)[0].generation
    return generation


def catalogue_generation() -> int:
    now = time.monotonic()
    if _last["generation"] is None or now - _last["checked"] > CHECK_SECONDS:
        _last["generation"], _last["checked"] = _read_generation(), now
    return _last["generation"]


def catalogue_cache_clear() -> None:
    """Raise the generation (call it once the publication has committed)."""
    from .models import CatalogueState

    if not CatalogueState.objects.filter(pk=1).update(generation=F("generation") + 1):
        CatalogueState.objects.get_or_create(pk=1, defaults={"generation": 2})
    _last["generation"], _last["checked"] = _read_generation(), time.monotonic()


def catalogue_cache_key(kind: str, *parts) -> str:
    """Keyed by the active language too: a body rendered in English must never reach a Chinese reader."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f"items:catalogue:{catalogue_generation()}:{get_language()}:{kind}:{digest}"


def _shared():
    """The shared cache behind each process's own copies, when there is one (CACHE_URL: Redis): a page or
    PDF rendered by one web process is not rendered again by every other process and machine."""
    from django.core.cache import caches

    default_cache = caches["default"]
    return None if isinstance(default_cache, LocMemCache) else default_cache


def _get(key: str):
    value = cache.get(key)
    if value is None:
        shared = _shared()
        if shared is not None:
            value = shared.get(key)
            if value is not None:
                cache.set(key, value, TIMEOUT_SECONDS)
    return value


def _set(key: str, value) -> None:
    cache.set(key, value, TIMEOUT_SECONDS)
    shared = _shared()
    if shared is not None:
        shared.set(key, value, TIMEOUT_SECONDS)


def cached_fragment(kind: str, parts: tuple, render):
    """The cached value (HTML, PDF bytes, facet lists) for (kind, parts), made by `render()` on a miss."""
    key = catalogue_cache_key(kind, *parts)
    html = _get(key)
    if html is None:
        html = render()
        _set(key, html)
    return html


# Public pages for anonymous visitors are cached whole; the only per-visitor part, the CSRF token
# of the forms in the navigation bar, is rendered as this marker and replaced on the way out.
CSRF_MARKER = "tongban-csrf-marker-9c1e7f"


def _anonymous_without_session(request) -> bool:
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def public_page(request, *, kind: str, template: str, context) -> HttpResponse:
    """Render a public catalogue page. `context()` builds the template context (it may raise
    Http404). Anonymous visitors without a session get the whole page from the cache (keyed by
    path, language and large-text mode); everyone else gets it rendered around cached bodies."""
    if not _anonymous_without_session(request):
        return render(request, template, context())
    key = catalogue_cache_key(
        "page", kind, request.get_full_path(), get_language(), request.COOKIES.get("tb_large_text", "")
    )
    html = _get(key)
    if html is None:
        html = render(request, template, {**context(), "csrf_token": CSRF_MARKER}).content.decode()
        _set(key, html)
    return HttpResponse(html.replace(CSRF_MARKER, get_token(request)))
