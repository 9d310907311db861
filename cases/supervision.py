"""Reads for the supervisor's page: every running clock in the supervisor's regions, counted by
warning level per hall and per department, and the list of cases at one level (overdue by default).
Counts read the stored `warning_level`, which the SLA scan keeps current."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from hall.constants import StaffRole

from . import permissions
from .clock import cases_by_urgency
from .constants import WarningLevel
from .models import Case
from .selectors import _sub_regions

LEVELS = [WarningLevel.OVERDUE, WarningLevel.RED, WarningLevel.YELLOW, WarningLevel.GREEN]


def supervision_regions(user) -> set[int]:
    """The regions a supervisor watches: those of their halls and the counties below a city."""
    regions = permissions.regions_with_role(user, StaffRole.SUPERVISOR)
    return _sub_regions(regions) if regions else set()


def clocks_for_supervisor(user) -> QuerySet:
    """The cases with a running clock in the supervisor's scope (received, handed to or owned there)."""
    regions = supervision_regions(user)
    if not regions:
        return Case.objects.none()
    scope = (
        Q(owning_department__region_id__in=regions)
        | Q(receiving_hall__region_id__in=regions)
        | Q(handed_to_hall__region_id__in=regions)
    )
    return Case.objects.filter(scope, next_due__isnull=False).exclude(warning_level=WarningLevel.NONE)


def _level_counts() -> dict:
    return {level.value: Count("pk", filter=Q(warning_level=level)) for level in LEVELS}


def counts_total(clocks: QuerySet) -> dict:
    totals = clocks.aggregate(total=Count("pk"), **_level_counts())
    return {key: value or 0 for key, value in totals.items()}


def counts_by_hall(clocks: QuerySet) -> list[dict]:
    return list(
        clocks.values("receiving_hall__name")
        .annotate(total=Count("pk"), **_level_counts())
        .order_by("-overdue", "-red", "receiving_hall__name")
    )


def counts_by_department(clocks: QuerySet) -> list[dict]:
    return list(
        clocks.values("owning_department__name")
        .annotate(total=Count("pk"), **_level_counts())
        .order_by("-overdue", "-red", "owning_department__name")
    )


def cases_at_level(clocks: QuerySet, level: str) -> QuerySet:
    return cases_by_urgency(
        clocks.select_related("item_version", "bundle", "receiving_hall", "owning_department"), level
    )
