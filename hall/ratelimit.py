"""One fixed-window counter per caller's address in the shared cache, for the public forms that need no
login (progress lookup, the hall's kiosk): a script cannot flood them, a person at the counter or the
kiosk never meets the limit."""

from django.core.cache import cache

from .security.events import client_ip


def over_limit(request, scope: str, *, limit: int, window_seconds: int) -> bool:
    """Count this try against the caller's address in `scope`; True once it passes `limit` tries in the
    window (the window starts at the first try)."""
    key = f"tongban:limit:{scope}:{client_ip(request) or 'unknown'}"
    if cache.add(key, 1, window_seconds):
        return limit < 1
    try:
        tries = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window_seconds)
        return limit < 1
    return tries > limit
