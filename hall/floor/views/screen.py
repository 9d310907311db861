"""The calling screen (叫号屏) on the hall's big display: the page polls a tiny fragment every
second (htmx); the fragment is cached for a second and dropped after each call.

The page around the fragment (the hall's name, the scripts) is the same for every display of a hall:
it is served from the page cache (hall/pagecache.py) with a marker where the fragment goes, and the
fragment, read from the shared cache like every poll reads it, goes in on each request (docs/caching.md)."""

import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from ...pagecache import anonymous_page, cached_value
from ..clock import floor_today
from ..selectors import latest_calls, waiting_counts
from ..tickets import board_cache_key
from .common import hall_by_code

# Where the fragment goes in the cached page, naming the hall it is of.
BOARD_MARKER = "<!--tongban-board:{}-->"
BOARD_MARKER_RE = re.compile(r"<!--tongban-board:(\d+)-->")
# How long a process keeps a hall code's row id (the polls ask by code; halls are never renumbered).
HALL_ID_SECONDS = 300


@require_GET
def screen(request, hall_code: str):
    response = _screen_page(request, hall_code)
    page = response.content.decode(response.charset)
    marker = BOARD_MARKER_RE.search(page)
    board = _board_html(int(marker.group(1)), request.LANGUAGE_CODE)
    response.content = page[: marker.start()] + board + page[marker.end() :]
    return response


@anonymous_page("floor-screen")
def _screen_page(request, hall_code: str):
    hall = hall_by_code(hall_code)
    return render(request, "hall/floor/screen.html", {"hall": hall, "board": BOARD_MARKER.format(hall.pk)})


@require_GET
def board(request, hall_code: str):
    return HttpResponse(_board_html(_hall_id(hall_code), request.LANGUAGE_CODE))


def _hall_id(hall_code: str) -> int:
    code = hall_code.upper()
    return cached_value(f"floor:hall-id:{code}", lambda: hall_by_code(code).pk, HALL_ID_SECONDS)


def _board_html(hall_id: int, language: str) -> str:
    key = board_cache_key(hall_id, language)
    html = cache.get(key)
    if html is None:
        day = floor_today()
        calls = latest_calls(hall_id, day)
        html = render_to_string(
            "hall/floor/_board.html",
            {"calls": calls, "current": calls[0] if calls else None, "waiting": waiting_counts(hall_id, day)},
            request=None,
        )
        cache.set(key, html, settings.TONGBAN_FLOOR_BOARD_CACHE_SECONDS)
    return html
