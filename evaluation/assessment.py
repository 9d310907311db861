"""The monthly assessment of window staff (窗口人员月度考核, seed 003): per clerk, the services they
gave, the ratings, the bad ratings and their fixes, and the cases they received that ran overdue.
The services, ratings and tickets come from the summary the services keep (FigureRow, by clerk and
month); the overdue cases from the few open overdue warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from cases.constants import EventKind
from cases.models import CaseEvent
from hall.constants import StaffRole
from hall.models import ClockWarning, StaffAssignment

from .models import FigureRow

WINDOW_ROLES = [StaffRole.WINDOW_CLERK, StaffRole.RESULT_CLERK]
INTAKE_KINDS = [EventKind.COUNTER_RECEIVED, EventKind.ACCEPTED, EventKind.ACCEPTED_WITH_DEFERRAL]


@dataclass
class AssessmentLine:
    clerk_id: int
    name: str
    hall: str
    window: str
    services: int = 0
    rated: int = 0
    good: int = 0
    bad: int = 0
    rectified: int = 0
    rectified_in_time: int = 0
    overdue_tickets: int = 0
    overdue_cases: int = 0

    @property
    def satisfaction(self) -> float | None:
        return round(100 * self.good / self.rated, 1) if self.rated else None


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def staff_assessment(*, hall_ids: set[int], month: dt.date) -> list[AssessmentLine]:
    start, end = month_bounds(month)
    # Plain values: no account instance (and none of its encrypted identifiers) per clerk.
    posts = (
        StaffAssignment.objects.filter(hall_id__in=hall_ids, role__in=WINDOW_ROLES)
        .order_by("hall__code", "window__number", "user__username")
        .values_list("user_id", "user__real_name", "user__username", "hall__name", "window__number")
    )
    lines: dict[int, AssessmentLine] = {}
    for user_id, real_name, username, hall, window in posts:
        if user_id not in lines:
            lines[user_id] = AssessmentLine(
                clerk_id=user_id,
                name=real_name or username,
                hall=hall,
                window=_("%(number)s号窗口") % {"number": window} if window is not None else "—",
            )
    ids = list(lines)
    # The services, first ratings and tickets of the month from the summary rows (FigureRow): a few
    # rows per clerk, however many services the month holds.
    figures = (
        FigureRow.objects.filter(clerk_id__in=ids, month=start)
        .values("clerk_id")
        .annotate(
            services=Sum("services"),
            rated=Sum("first_rated"),
            bad=Sum("first_bad"),
            rectified=Sum("tickets_rectified"),
            in_time=Sum("tickets_in_time"),
            overdue=Sum("tickets_overdue"),
        )
    )
    for row in figures:
        line = lines[row["clerk_id"]]
        line.services, line.rated, line.bad = row["services"], row["rated"], row["bad"]
        line.good = line.rated - line.bad
        line.rectified, line.rectified_in_time, line.overdue_tickets = row["rectified"], row["in_time"], row["overdue"]
    overdue = ClockWarning.objects.filter(level="overdue").values("case_id")
    cases = (
        CaseEvent.objects.filter(
            actor_id__in=ids,
            kind__in=INTAKE_KINDS,
            created_at__date__gte=start,
            created_at__date__lt=end,
            case_id__in=overdue,
        )  # fmt: skip
        .values("actor_id")
        .annotate(cases=Count("case_id", distinct=True))
    )
    for row in cases:
        lines[row["actor_id"]].overdue_cases = row["cases"]
    return list(lines.values())
