"""Cached fragments of the public catalogue pages (DESIGN.md speed notes).

Each key carries a generation number; publishing bumps it, so every cached page of the catalogue
is dropped at once (on every process, with a shared cache) without scanning keys."""

import hashlib
import time

from django.core.cache import cache

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


def cached_fragment(kind: str, parts: tuple, render) -> str:
    """The cached HTML for (kind, parts), rendering it with `render()` on a miss."""
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
