"""The hall floor's clock: every floor read of "now" and "today" goes through here.

`TONGBAN_FLOOR_CLOCK_SHIFT_SECONDS` (settings, default 0) moves the floor's clock: a demo or a
browser test sets it to play "tomorrow" without waiting, and time keeps running from there."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def floor_now() -> dt.datetime:
    shift = getattr(settings, "TONGBAN_FLOOR_CLOCK_SHIFT_SECONDS", 0) or 0
    return timezone.now() + dt.timedelta(seconds=shift)


def floor_today() -> dt.date:
    return timezone.localdate(floor_now())


def local_moment(day: dt.date, at: dt.time) -> dt.datetime:
    """The aware moment of `at` on `day` in the hall's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, at))


def shift_to(moment: dt.datetime) -> int:
    """The shift in seconds that makes the floor's clock read `moment` now (for tests and demos)."""
    return int((moment - timezone.now()).total_seconds())
