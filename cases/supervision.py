"""Reads for the supervisor's page: every running clock in the supervisor's regions, counted by
warning level per hall and per department, and the list of cases at one level (overdue by default).

Counts read the stored `warning_level`, which the SLA scan keeps current. Both read only running
clocks, through the partial indexes on Case that hold nothing else (DESIGN.md "Lists at a city's
volume"): the figures are one grouped count over an index-only scan of `case_clock_scope`, the list
walks `case_clock_level_due` in due order. Neither grows with the closed history.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hall.constants import StaffRole
from hall.models import Department, Hall, Region

from . import permissions
from .constants import RUNNING_LEVELS, WarningLevel
from .models import Case
from .rows import clock_fields
from .selectors import _sub_regions

LEVELS = [WarningLevel.OVERDUE, WarningLevel.RED, WarningLevel.YELLOW, WarningLevel.GREEN]


def supervision_regions(user, organisation: tuple | None = None) -> set[int]:
    """The regions a supervisor watches: those of their halls and the counties below a city."""
    regions = permissions.regions_with_role(user, StaffRole.SUPERVISOR)
    if not regions:
        return set()
    if organisation is None:
        return _sub_regions(regions)
    children = organisation[2]
    return regions | {child for region in regions for child in children.get(region, ())}


# The organisation changes by an administrator's hand, rarely: kept a minute in the shared cache, and
# forgotten when a hall, department or region is saved here.
ORGANISATION_KEY = "tongban:supervision-organisation"
ORGANISATION_SECONDS = 60


def supervision_organisation() -> tuple[dict, dict, dict]:
    """{hall id: (name, region id)}, {department id: (name, region id)}, {region id: [child region ids]}:
    small tables, read whole (three queries at most once a minute)."""
    organisation = cache.get(ORGANISATION_KEY)
    if organisation is None:
        halls = {pk: (name, region) for pk, name, region in Hall.objects.values_list("pk", "name", "region_id")}
        departments = {
            pk: (name, region) for pk, name, region in Department.objects.values_list("pk", "name", "region_id")
        }
        children: dict[int, list[int]] = {}
        for pk, parent in Region.objects.filter(parent__isnull=False).values_list("pk", "parent_id"):
            children.setdefault(parent, []).append(pk)
        organisation = (halls, departments, children)
        cache.set(ORGANISATION_KEY, organisation, ORGANISATION_SECONDS)
    return organisation


@receiver([post_save, post_delete], sender=Hall, dispatch_uid="supervision-organisation-hall")
@receiver([post_save, post_delete], sender=Department, dispatch_uid="supervision-organisation-department")
@receiver([post_save, post_delete], sender=Region, dispatch_uid="supervision-organisation-region")
def _organisation_changed(**kwargs) -> None:
    cache.delete(ORGANISATION_KEY)


def clocks_for_supervisor(user, regions: set[int] | None = None, organisation: tuple | None = None) -> QuerySet:
    """The cases with a running clock in the supervisor's scope (received, handed to or owned there).
    The halls and departments of the regions are given as lists of ids on the cases' own columns: each
    condition is on the indexed row, not across a join, and the planner sees how much of the city they
    cover (a subquery would leave it guessing)."""
    regions = supervision_regions(user) if regions is None else regions
    if not regions:
        return Case.objects.none()
    halls, departments, _ = organisation or supervision_organisation()
    hall_ids = [pk for pk, (_, region) in halls.items() if region in regions]
    department_ids = [pk for pk, (_, region) in departments.items() if region in regions]
    scope = (
        Q(owning_department_id__in=department_ids)
        | Q(receiving_hall_id__in=hall_ids)
        | Q(handed_to_hall_id__in=hall_ids)
    )
    return Case.objects.filter(scope, warning_level__in=RUNNING_LEVELS)


LEVEL_VALUES = [level.value for level in LEVELS]


def _row(name_key: str, name) -> dict:
    return {name_key: name, "total": 0, **dict.fromkeys(LEVEL_VALUES, 0)}


def _ordered(rows: dict, name_key: str) -> list[dict]:
    return sorted(rows.values(), key=lambda r: (-r["overdue"], -r["red"], r[name_key] or ""))


def supervision_figures(clocks: QuerySet, organisation: tuple | None = None) -> dict:
    """{"totals": {total, overdue, red, yellow, green}, "by_hall": [...], "by_department": [...]}
    from one grouped count (receiving hall × department × level) over an index-only scan, named from
    the organisation tables. A hall row counts the running clocks received there; a department row
    those it owns."""
    halls, departments, _ = organisation or supervision_organisation()
    grouped = clocks.order_by().values_list("receiving_hall_id", "owning_department_id", "warning_level")
    totals = {"total": 0, **dict.fromkeys(LEVEL_VALUES, 0)}
    by_hall: dict = {}
    by_department: dict = {}
    for hall_id, department_id, level, n in grouped.annotate(n=Count("*")):
        hall_name = halls.get(hall_id, ("", None))[0]
        department_name = departments.get(department_id, (None, None))[0]
        hall = by_hall.get(hall_name) or by_hall.setdefault(hall_name, _row("receiving_hall__name", hall_name))
        department = by_department.get(department_name) or by_department.setdefault(
            department_name, _row("owning_department__name", department_name)
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
    """The ids of the running clocks at one level, earliest due first: read from the index alone
    (`case_clock_level_due` carries the scope columns), so the order costs no read of the cases."""
    return clocks.filter(warning_level=level).order_by("next_due", "pk").values_list("pk", flat=True)


LIST_FIELDS = ("pk", "number", "receiving_hall_id", "owning_department_id", "item_version__name", "bundle__name")


def cases_by_ids(ids: list[int]) -> list:
    """One page of cases, in the order of `ids`, with what the list shows, as named tuples (cases.rows):
    the halls and departments are named from supervision_organisation, not joined."""
    rows = {
        row.pk: row for row in Case.objects.filter(pk__in=ids).values_list(*LIST_FIELDS, *clock_fields(), named=True)
    }
    return [rows[pk] for pk in ids if pk in rows]
