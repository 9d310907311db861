"""The SLA scan and the calendar recompute: the services behind cases.tasks.

The scan (run by Celery beat every few minutes):
1. reads only the cases whose `next_due` is on or before the horizon (today plus the largest yellow
   threshold in working days) through the `next_due` index: its cost grows with the cases that are
   due, not with the open ones;
2. reads each open clock of those cases (stored due dates, cached calendar: no query per case);
3. records each clock reaching yellow, red or overdue once in `ClockWarning` (unique per case,
   clock, due date and level: a second scan, or two scans at once, record nothing new) and, in the
   same savepoint, queues the notices to the responsible staff, the supervisor and, for the
   applicant's own deadlines, the applicant;
4. stores the case's current warning level where it changed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from hall.constants import StaffRole
from hall.models import ClockWarning, StaffAssignment, User
from hall.notices import notice_queue_from_template
from hall.workdays import add_working_days

from .clock import DEFAULT_YELLOW_DAYS, case_clock_reading, case_clock_readings, case_clock_recompute
from .constants import CaseState, WarningLevel
from .models import Case

logger = logging.getLogger(__name__)

WARNING_LEVELS = (WarningLevel.YELLOW, WarningLevel.RED, WarningLevel.OVERDUE)
# The clocks whose deadline is the applicant's; the others are the hall's or the department's.
APPLICANT_CLOCKS = ("supplement", "deferred")
# States whose clocks can run (the recompute after a calendar edit visits only these).
OPEN_STATES = [
    CaseState.SUBMITTED,
    CaseState.SUPPLEMENT_REQUESTED,
    CaseState.ACCEPTED,
    CaseState.SUSPENDED,
    CaseState.APPROVED,
    CaseState.DENIED,
]
SCAN_FIELDS = [
    "id",
    "number",
    "state",
    "warning_level",
    "next_due",
    "intake_due",
    "decision_due",
    "delivery_due",
    "supplement_due",
    "deferred_due",
    "applicant_id",
    "receiving_hall_id",
    "handed_to_hall_id",
    "owning_department_id",
    "item_version_id",
    "item_version__case_kind",
    "item_version__yellow_threshold_days",
]


@dataclass
class ScanResult:
    scanned: int = 0
    recorded: int = 0
    levels_changed: int = 0
    notices: int = 0
    horizon: dt.date | None = None
    changes: list[tuple[int, str, str]] = field(default_factory=list)  # (case id, clock, level)


def scan_horizon(today: dt.date) -> dt.date:
    """The latest due date that can be yellow today: today plus the largest yellow threshold."""
    from items.models import ItemVersion

    largest = ItemVersion.objects.aggregate(m=Max("yellow_threshold_days"))["m"] or 0
    return add_working_days(today, max(largest, DEFAULT_YELLOW_DAYS))


def due_cases(horizon: dt.date):
    """The scan's only read of the cases table: a range scan of the `next_due` index."""
    return Case.objects.filter(next_due__lte=horizon).select_related("item_version").only(*SCAN_FIELDS)


def sla_scan(*, now: dt.datetime | None = None) -> ScanResult:
    """Record and notify each clock that reached a warning level; store each case's level."""
    now = now or timezone.now()
    result = ScanResult(horizon=scan_horizon(timezone.localdate(now)))
    cases = list(due_cases(result.horizon))
    result.scanned = len(cases)
    recorded = set(
        ClockWarning.objects.filter(case_id__in=[c.pk for c in cases]).values_list(
            "case_id", "clock", "due_on", "level"
        )
    )
    level_updates: dict[str, list[int]] = {}
    for case in cases:
        for reading in case_clock_readings(case, now=now):
            if reading.level not in WARNING_LEVELS:
                continue
            if (case.pk, reading.clock, reading.due, reading.level) in recorded:
                continue
            if _record_and_notify(case, reading, result):
                result.recorded += 1
                result.changes.append((case.pk, reading.clock, reading.level))
        current = case_clock_reading(case, now=now)
        level = current.level if current else WarningLevel.NONE
        if level != case.warning_level:
            level_updates.setdefault(level, []).append(case.pk)
    for level, ids in level_updates.items():
        # Only cases still due as read: a service that moved the dates meanwhile recomputed them itself.
        result.levels_changed += Case.objects.filter(pk__in=ids, next_due__lte=result.horizon).update(
            warning_level=level
        )
    return result


def _record_and_notify(case: Case, reading, result: ScanResult) -> bool:
    """Insert the warning record and queue its notices in one savepoint; False if already recorded."""
    try:
        with transaction.atomic():
            ClockWarning.objects.create(
                case_id=case.pk, case_number=case.number or "", clock=reading.clock, due_on=reading.due,
                level=reading.level,
            )  # fmt: skip
            result.notices += _notify(case, reading)
    except IntegrityError:
        return False  # another scan recorded it first
    return True


def responsible_staff(case: Case, clock: str) -> list[User]:
    """Who must act on a clock: intake and supplement → window clerks of the hall handling the
    intake; decision and deferred → approvers of the owning department; delivery → result clerks."""
    hall_id = case.handed_to_hall_id or case.receiving_hall_id
    if clock in ("intake", "supplement"):
        query = Q(role=StaffRole.WINDOW_CLERK, hall_id=hall_id)
    elif clock == "delivery":
        query = Q(role=StaffRole.RESULT_CLERK, hall_id=case.receiving_hall_id)
    else:
        if case.owning_department_id is None:
            return []
        query = Q(role=StaffRole.APPROVER, department_id=case.owning_department_id)
    return _users(query)


def supervisors(case: Case) -> list[User]:
    """Supervisors of the receiving hall and of the halls in the owning department's region."""
    query = Q(role=StaffRole.SUPERVISOR, hall_id=case.receiving_hall_id)
    if case.owning_department_id is not None:
        query |= Q(role=StaffRole.SUPERVISOR, hall__region__departments=case.owning_department_id)
    return _users(query)


def _users(query: Q) -> list[User]:
    ids = StaffAssignment.objects.filter(query).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _notify(case: Case, reading) -> int:
    """Queue the notices of one warning. Staff get every level; supervisors red and overdue;
    the applicant is reminded of their own deadlines (supplement, deferred materials)."""
    recipients = {user.pk: ("staff", user) for user in responsible_staff(case, reading.clock)}
    if reading.level in (WarningLevel.RED, WarningLevel.OVERDUE):
        for user in supervisors(case):
            recipients.setdefault(user.pk, ("supervisor", user))
    if reading.clock in APPLICANT_CLOCKS:
        recipients[case.applicant_id] = ("applicant", case.applicant)
    for audience, user in recipients.values():
        notice_queue_from_template(
            recipient=user,
            kind="clock_warning",
            context={"case": case, "reading": reading, "audience": audience},
            link=_case_link(case, audience),
            case_number=case.number or "",
        )
    return len(recipients)


def _case_link(case: Case, audience: str) -> str:
    names = ["cases:my_case_detail", "cases:citizen_case_detail"] if audience == "applicant" else []
    names += ["cases:case_detail", "cases:detail", "cases:staff_case_detail"]
    for name in names:
        try:
            return reverse(name, args=[case.pk])
        except NoReverseMatch:
            continue
    return ""


def case_clocks_recompute(*, case_ids: list[int] | None = None, batch: int = 500) -> int:
    """Recompute the clocks of open cases (all of them, or `case_ids`) after the calendar changed.
    Each batch is locked and written in its own transaction. Returns how many cases changed."""
    ids = case_ids
    if ids is None:
        ids = list(Case.objects.filter(state__in=OPEN_STATES).order_by("pk").values_list("pk", flat=True))
    changed = 0
    for start in range(0, len(ids), batch):
        changed += _recompute_batch(ids[start : start + batch])
    return changed


CLOCK_FIELDS = [
    "intake_due",
    "decision_due",
    "delivery_due",
    "deferred_due",
    "paused_days",
    "next_due",
    "warning_level",
]


def _recompute_batch(ids: list[int]) -> int:
    changed = 0
    with transaction.atomic():
        cases = (
            Case.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("item_version")
            .prefetch_related("special_procedures")
        )
        for case in cases:
            before = {name: getattr(case, name) for name in CLOCK_FIELDS}
            case_clock_recompute(case)
            after = {name: getattr(case, name) for name in CLOCK_FIELDS}
            if after != before:
                # update(), not save(): the state field is protected and nothing else may change.
                Case.objects.filter(pk=case.pk).update(**after)
                changed += 1
    return changed
