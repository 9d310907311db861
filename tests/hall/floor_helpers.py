"""Shared set-up of the hall floor tests: the demo city with opening hours, and a clock that reads
a chosen moment (the floor's clock seam, settings.TONGBAN_FLOOR_CLOCK_SHIFT_SECONDS)."""

import datetime as dt

import pytest
from django.utils import timezone

from hall.floor.clock import shift_to
from hall.floor.demo import seed_floor_hours

# A plain week far from holidays: Tuesday 1 December 2026 .. Saturday 5 December.
TUESDAY = dt.date(2026, 12, 1)
WEDNESDAY = dt.date(2026, 12, 2)
SATURDAY = dt.date(2026, 12, 5)
ITEM_ID, ITEM_NAME = 9001, "个体工商户设立登记"


def moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def clock(settings):
    """clock(day, hour, minute) moves the floor's clock there (time keeps running from it)."""

    def move(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        target = moment(day, hour, minute)
        settings.TONGBAN_FLOOR_CLOCK_SHIFT_SECONDS = shift_to(target)
        return target

    return move


@pytest.fixture
def floor(cast):
    """The demo city with the floor's demo opening hours and window seats."""
    seed_floor_hours()
    return cast
