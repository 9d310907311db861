"""The calling screen (叫号屏) on the hall's big display: the page polls a tiny fragment every
second (htmx); the fragment is cached for a second and dropped after each call."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from ..clock import floor_today
from ..selectors import latest_calls, waiting_counts
from ..tickets import board_cache_key
from .common import hall_by_code


@require_GET
def screen(request, hall_code: str):
    hall = hall_by_code(hall_code)
    return render(request, "hall/floor/screen.html", {"hall": hall, "board": _board_html(hall, request)})


@require_GET
def board(request, hall_code: str):
    hall = hall_by_code(hall_code)
    return HttpResponse(_board_html(hall, request))


def _board_html(hall, request) -> str:
    key = board_cache_key(hall.pk, request.LANGUAGE_CODE)
    html = cache.get(key)
    if html is None:
        day = floor_today()
        calls = latest_calls(hall, day)
        html = render_to_string(
            "hall/floor/_board.html",
            {
                "hall": hall,
                "calls": calls,
                "current": calls[0] if calls else None,
                "waiting": waiting_counts(hall, day),
            },
            request=None,
        )
        cache.set(key, html, settings.TONGBAN_FLOOR_BOARD_CACHE_SECONDS)
    return html
