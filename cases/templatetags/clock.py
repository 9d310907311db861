"""{% load clock %}{% clock_badge case %}: the warning badge of a case's most urgent open clock.

Built in Python rather than through an included template: a list shows one badge per row, and a
template per badge (a context, a node tree and a translation lookup per string) was the larger part of
each row's time."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext

from cases.clock import case_clock_reading
from cases.clock_words import clock_words

register = template.Library()


@register.simple_tag
def clock_badge(case, show_clock: bool = True):
    """Read live from the stored due dates (the calendar is cached: no query per badge)."""
    now = timezone.now()
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
