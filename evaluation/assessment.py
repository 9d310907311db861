"""The monthly assessment of window staff (窗口人员月度考核, seed 003): per clerk, the services they
gave, the ratings, the bad ratings and their fixes, and the cases they received that ran overdue.
One grouped query per figure over the month's rows (indexes: services by clerk and month)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from cases.constants import EventKind
from cases.models import CaseEvent
from hall.constants import StaffRole
from hall.models import ClockWarning, StaffAssignment

from .constants import BAD_LEVELS, RatingKind, TicketState
from .models import RectificationTicket, Service

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
    services = (
        Service.objects.filter(clerk_id__in=ids, month=start)
        .values("clerk_id")
        .annotate(
            total=Count("pk", distinct=True),
            rated=Count("pk", filter=Q(ratings__kind=RatingKind.FIRST), distinct=True),
            bad=Count("pk", filter=Q(ratings__kind=RatingKind.FIRST, ratings__level__in=BAD_LEVELS), distinct=True),
        )
    )
    for row in services:
        line = lines[row["clerk_id"]]
        line.services, line.rated, line.bad = row["total"], row["rated"], row["bad"]
        line.good = line.rated - line.bad
    tickets = (
        RectificationTicket.objects.filter(clerk_id__in=ids, opened_on__gte=start, opened_on__lt=end)
        .exclude(state=TicketState.VOIDED)
        .values("clerk_id")
        .annotate(
            rectified=Count("pk", filter=Q(rectified_at__isnull=False)),
            in_time=Count("pk", filter=Q(rectified_at__isnull=False, rectify_days__isnull=False, ever_overdue=False)),
            overdue=Count("pk", filter=Q(ever_overdue=True)),
        )
    )
    for row in tickets:
        line = lines[row["clerk_id"]]
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
