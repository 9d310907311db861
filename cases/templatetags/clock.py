"""{% load clock %}{% clock_badge case %}: the warning badge of a case's most urgent open clock.

Built in Python rather than through an included template: a list shows one badge per row, and a
template per badge (a context, a node tree and a translation lookup per string) was the larger part of
each row's time. Rows of a list share their due dates: a badge is read once per due date, item limits
and day (see _remembered), not once per row."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from cases.clock import case_clock_reading, open_clocks
from cases.clock_words import clock_words
from hall.pagecache import LocalCopies
from hall.workdays import calendar_generation

register = template.Library()

# A badge reads only the case's open clocks, its item's limits and today's date (the calendar lookups
# from today to each due date): the same inputs give the same badge, kept until the day or the calendar
# changes (hall.workdays notices another process's edit within its check interval, as the lookups do).
_LIMIT_FIELDS = ("case_kind", "yellow_threshold_days", "limit_unit", "intake_unit", "delivery_unit")
_remembered = LocalCopies(entries=20_000)


@register.simple_tag
def clock_badge(case, show_clock: bool = True):
    """Read live from the stored due dates (the calendar is cached: no query per badge)."""
    now = timezone.now()
    clocks = open_clocks(case)
    if not clocks:
        return ""
    version = case.item_version if getattr(case, "item_version_id", None) is not None else None
    limits = tuple(getattr(version, name, None) for name in _LIMIT_FIELDS) if version is not None else None
    # An instant case (即办件) counts the minutes to closing time, whole minutes to a deadline on the
    # minute: its badge holds for the rest of the current minute.
    minute = now.replace(second=0, microsecond=0) if limits is not None and limits[0] == "instant" else None
    # The day and the calendar's generation are part of the key: a badge of another day is never read again.
    key = (timezone.localdate(now), calendar_generation(), tuple(clocks), limits, show_clock, get_language(), minute)
    return _remembered.kept(key, lambda: _badge(case, now, show_clock))


def _badge(case, now, show_clock: bool) -> str:
    reading = case_clock_reading(case, now=now)
    if reading is None:
        return ""
    label = reading.label if show_clock else ""
    due = date_format(timezone.template_localtime(reading.due), "DATE_FORMAT")
    title = f"{label}{gettext('期限')}{gettext('：')}{due}"
    if reading.provisional:
        title += gettext("（暂定：该年度放假安排尚未公布）")
    return format_html(
        '<span class="badge badge-{}" data-level="{}" title="{}">{}{}{}</span>',
        reading.level,
        reading.level,
        title,
        f"{reading.label} · " if show_clock else "",
        clock_words(reading, now=now),
        gettext("（暂定）") if reading.provisional else "",
    )
