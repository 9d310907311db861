"""Reads for the supervisor's page: every running clock in the supervisor's regions, counted by
warning level per hall and per department, and the list of cases at one level (overdue by default).

Counts read the stored `warning_level`, which the SLA scan keeps current. Both read only running
clocks, through the partial indexes on Case that hold nothing else (DESIGN.md "Lists at a city's
volume"): the figures are one grouped count over an index-only scan of `case_clock_scope`, the list
walks `case_clock_level_due` in due order. Neither grows with the closed history.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from hall.constants import StaffRole
from hall.models import Department, Hall

from . import permissions
from .constants import RUNNING_LEVELS, WarningLevel
from .models import Case
from .selectors import _sub_regions

LEVELS = [WarningLevel.OVERDUE, WarningLevel.RED, WarningLevel.YELLOW, WarningLevel.GREEN]


def supervision_regions(user) -> set[int]:
    """The regions a supervisor watches: those of their halls and the counties below a city."""
    regions = permissions.regions_with_role(user, StaffRole.SUPERVISOR)
    return _sub_regions(regions) if regions else set()


def clocks_for_supervisor(user, regions: set[int] | None = None) -> QuerySet:
    """The cases with a running clock in the supervisor's scope (received, handed to or owned there).
    The halls and departments of the regions are subqueries on the cases' own columns, so each
    condition is on the indexed row, not across a join."""
    regions = supervision_regions(user) if regions is None else regions
    if not regions:
        return Case.objects.none()
    halls = Hall.objects.filter(region_id__in=regions).values("pk")
    departments = Department.objects.filter(region_id__in=regions).values("pk")
    scope = Q(owning_department_id__in=departments) | Q(receiving_hall_id__in=halls) | Q(handed_to_hall_id__in=halls)
    return Case.objects.filter(scope, warning_level__in=RUNNING_LEVELS)


def _row(name_key: str, name) -> dict:
    return {name_key: name, "total": 0, **{level.value: 0 for level in LEVELS}}


def _ordered(rows: dict, name_key: str) -> list[dict]:
    return sorted(rows.values(), key=lambda r: (-r["overdue"], -r["red"], r[name_key] or ""))


def supervision_figures(clocks: QuerySet) -> dict:
    """{"totals": {total, overdue, red, yellow, green}, "by_hall": [...], "by_department": [...]}
    from one grouped count (receiving hall × department × level). A hall row counts the running
    clocks received there; a department row those it owns."""
    grouped = clocks.order_by().values("receiving_hall__name", "owning_department__name", "warning_level")
    totals = _row("", None)
    totals.pop("")
    by_hall: dict = {}
    by_department: dict = {}
    for group in grouped.annotate(n=Count("*")):
        level, n = group["warning_level"], group["n"]
        hall = by_hall.setdefault(
            group["receiving_hall__name"], _row("receiving_hall__name", group["receiving_hall__name"])
        )
        department = by_department.setdefault(
            group["owning_department__name"], _row("owning_department__name", group["owning_department__name"])
        )
        for row in (totals, hall, department):
            row[level] += n
            row["total"] += n
    return {
        "totals": totals,
        "by_hall": _ordered(by_hall, "receiving_hall__name"),
        "by_department": _ordered(by_department, "owning_department__name"),
    }


def counts_total(clocks: QuerySet) -> dict:
    return supervision_figures(clocks)["totals"]


def counts_by_hall(clocks: QuerySet) -> list[dict]:
    return supervision_figures(clocks)["by_hall"]


def counts_by_department(clocks: QuerySet) -> list[dict]:
    return supervision_figures(clocks)["by_department"]


def cases_at_level(clocks: QuerySet, level: str) -> QuerySet:
    """The running clocks at one level, earliest due first (the order of `case_clock_level_due`)."""
    return (
        clocks.filter(warning_level=level)
        .select_related("item_version", "bundle", "receiving_hall", "owning_department")
        .order_by("next_due", "pk")
    )
