"""Cached fragments of the public catalogue pages (DESIGN.md speed notes).

Each key carries a generation number; publishing bumps it, so every cached page of the catalogue
is dropped at once (on every process, with a shared cache) without scanning keys."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.translation import get_language

GENERATION_KEY = "items:catalogue:generation"
TIMEOUT_SECONDS = 3600


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A fresh number, never one used before the key was lost: old fragments cannot come back.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def catalogue_cache_key(kind: str, *parts) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f"items:catalogue:{_generation()}:{kind}:{digest}"


def cached_fragment(kind: str, parts: tuple, render):
    """The cached value (HTML, PDF bytes, facet lists) for (kind, parts), made by `render()` on a miss."""
    key = catalogue_cache_key(kind, *parts)
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, TIMEOUT_SECONDS)
    return html


def catalogue_cache_clear() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: the next read starts a fresh one
        pass


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
    html = cache.get(key)
    if html is None:
        html = render(request, template, {**context(), "csrf_token": CSRF_MARKER}).content.decode()
        cache.set(key, html, TIMEOUT_SECONDS)
    return HttpResponse(html.replace(CSRF_MARKER, get_token(request)))
