"""{% load clock %}{% clock_badge case %}: the warning badge of a case's most urgent open clock."""

from django import template
from django.utils import timezone

from cases.clock import case_clock_reading
from cases.clock_words import clock_words
from cases.constants import WarningLevel

register = template.Library()


@register.inclusion_tag("cases/includes/clock_badge.html")
def clock_badge(case, show_clock: bool = True):
    """Read live from the stored due dates (the calendar is cached: no query per badge)."""
    now = timezone.now()
    reading = case_clock_reading(case, now=now)
    if reading is None:
        return {"reading": None}
    return {
        "reading": reading,
        "words": clock_words(reading, now=now),
        "level_label": WarningLevel(reading.level).label,
        "overdue_days": -reading.days_left,
        "show_clock": show_clock,
    }
