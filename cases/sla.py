"""The SLA scan and the calendar recompute: the services behind cases.tasks.

The scan (run by Celery beat every few minutes):
0. accepts by operation of law every submitted case whose intake limit ended before today
   (行政许可法 Art. 32: 逾期不告知的，自收到申请材料之日起即为受理), one transaction each, through
   the `(state, next_due)` index (a submitted case's next_due is its intake due date);
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
from functools import cache
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_fsm import ConcurrentTransition

from hall.constants import StaffRole
from hall.models import ClockWarning, StaffAssignment, User
from hall.notices import NoticeDraft, notice_queue_many, render_notice
from hall.workdays import add_working_days

from .clock import DEFAULT_YELLOW_DAYS, LEVEL_RANK, case_clock_readings, case_clock_recompute
from .clock_words import clock_words
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
    "handoff_due",
    "applicant_id",
    "receiving_hall_id",
    "handed_to_hall_id",
    "owning_department_id",
    "item_version_id",
    "item_version__case_kind",
    "item_version__yellow_threshold_days",
    "item_version__limit_unit",
    "item_version__intake_unit",
    "item_version__delivery_unit",
]


@dataclass
class ScanResult:
    scanned: int = 0
    recorded: int = 0
    levels_changed: int = 0
    notices: int = 0
    horizon: dt.date | None = None
    accepted_by_law: list[int] = field(default_factory=list)  # case ids accepted by law in this scan
    changes: list[tuple[int, str, str]] = field(default_factory=list)  # (case id, clock, level)
    # Recipients by (who, hall, department): many due cases share them; one query per group per scan.
    recipients: dict[tuple, list[User]] = field(default_factory=dict, repr=False)


def scan_horizon(today: dt.date) -> dt.date:
    """The latest due date that can be yellow today: today plus the largest yellow threshold."""
    from items.models import ItemVersion

    largest = ItemVersion.objects.aggregate(m=Max("yellow_threshold_days"))["m"] or 0
    return add_working_days(today, max(largest, DEFAULT_YELLOW_DAYS))


def due_cases(horizon: dt.date):
    """The scan's only read of the cases table: a range scan of the `next_due` index (no ordering),
    as plain values: building ten thousand model instances would cost more than the query."""
    return Case.objects.filter(next_due__lte=horizon).order_by().values(*SCAN_FIELDS)


def due_rows(horizon: dt.date) -> list[SimpleNamespace]:
    """The due cases as light objects with the attributes the clock reads."""
    rows = []
    for values in due_cases(horizon):
        version_values = {
            name.removeprefix("item_version__"): values.pop(name)
            for name in list(values)
            if name.startswith("item_version__")
        }
        version = SimpleNamespace(**version_values) if values["item_version_id"] else None
        rows.append(SimpleNamespace(pk=values["id"], item_version=version, **values))
    return rows


def sla_scan(*, now: dt.datetime | None = None) -> ScanResult:
    """Record and notify each clock that reached a warning level; store each case's level."""
    now = now or timezone.now()
    result = ScanResult(horizon=scan_horizon(timezone.localdate(now)))
    result.accepted_by_law = cases_accept_by_law(today=timezone.localdate(now))
    cases = due_rows(result.horizon)
    result.scanned = len(cases)
    recorded = set(
        ClockWarning.objects.filter(case_id__in=[c.pk for c in cases]).values_list(
            "case_id", "clock", "due_on", "level"
        )
    )
    candidates = []
    level_updates: dict[str, list[int]] = {}
    for case in cases:
        readings = case_clock_readings(case, now=now)
        for reading in readings:
            if reading.level in WARNING_LEVELS and (case.pk, reading.clock, reading.due, reading.level) not in recorded:
                candidates.append((case, reading))
        level = min((r.level for r in readings), key=LEVEL_RANK.__getitem__, default=WarningLevel.NONE)
        if level != case.warning_level:
            level_updates.setdefault(level, []).append(case.pk)
    with transaction.atomic():
        inserted = _insert_warnings(candidates)
        changes = [
            (case, reading)
            for case, reading in candidates
            if (case.pk, reading.clock, reading.due, reading.level) in inserted
        ]
        result.changes = [(case.pk, reading.clock, reading.level) for case, reading in changes]
        drafts = _drafts(changes, result.recipients)
        notice_queue_many(drafts)
        result.recorded = len(result.changes)
        result.notices = len(drafts)
        result.levels_changed = _store_levels(level_updates, result.horizon)
    return result


def cases_accept_by_law(*, today: dt.date) -> list[int]:
    """Accept by law each submitted case whose intake window closed before `today`. A clerk who
    decides at the same moment wins or loses by the case's optimistic lock; either way the case is
    decided once. Returns the ids accepted here."""
    from .services.intake import case_accept_by_law

    ids = list(
        Case.objects.filter(state=CaseState.SUBMITTED, next_due__lt=today, item_version__isnull=False)
        .order_by()
        .values_list("pk", flat=True)
    )
    accepted = []
    for pk in ids:
        try:
            case_accept_by_law(case=Case(pk=pk), on=today)
        except (ValidationError, ConcurrentTransition) as exc:
            logger.info("case %s not accepted by law: %s", pk, exc)
            continue
        accepted.append(pk)
    return accepted


def _store_levels(level_updates: dict[str, list[int]], horizon: dt.date) -> int:
    """Write the new levels. Only cases still due as read: a service that moved the dates
    meanwhile has recomputed them itself. On PostgreSQL one UPDATE … FROM unnest() joins on the
    primary key (an `id IN (…)` list next to the next_due condition is checked row by row)."""
    if connection.vendor != "postgresql":
        return sum(
            Case.objects.filter(pk__in=ids, next_due__lte=horizon).update(warning_level=level)
            for level, ids in level_updates.items()
        )
    ids = [pk for pks in level_updates.values() for pk in pks]
    levels = [level for level, pks in level_updates.items() for _ in pks]
    if not ids:
        return 0
    table = Case._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS c SET warning_level = v.level "
            "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS level) AS v "
            "WHERE c.id = v.id AND c.next_due <= %s",
            [ids, levels, horizon],
        )
        return cursor.rowcount


def _insert_warnings(candidates, chunk: int = 500) -> set[tuple]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the keys this scan recorded. A key another scan
    recorded first is not returned, so its notices are not queued twice (PostgreSQL and SQLite ≥ 3.35)."""
    table = ClockWarning._meta.db_table
    inserted = set()
    recorded_at = timezone.now()
    with connection.cursor() as cursor:
        for start in range(0, len(candidates), chunk):
            rows = candidates[start : start + chunk]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
            params = []
            for case, reading in rows:
                params += [case.pk, case.number or "", reading.clock, reading.due, reading.level, recorded_at]
            cursor.execute(
                f"INSERT INTO {table} (case_id, case_number, clock, due_on, level, recorded_at) VALUES {values} "
                "ON CONFLICT (case_id, clock, due_on, level) DO NOTHING RETURNING case_id, clock, due_on, level",
                params,
            )
            for case_id, clock, due_on, level in cursor.fetchall():
                if isinstance(due_on, str):  # SQLite returns the text it stored
                    due_on = dt.date.fromisoformat(due_on)
                inserted.add((case_id, clock, due_on, level))
    return inserted


def responsible_staff(case: Case, clock: str) -> list[User]:
    """Who must act on a clock: intake and supplement → window clerks of the hall handling the
    intake; decision and deferred → approvers of the owning department; delivery → result clerks."""
    hall_id = case.handed_to_hall_id or case.receiving_hall_id
    if clock == "handoff":
        # Both halls of a cross-county hand-off: whoever must forward, confirm or send back acts on it.
        halls = [pk for pk in (case.receiving_hall_id, case.handed_to_hall_id) if pk]
        return _users(Q(role__in=[StaffRole.WINDOW_CLERK, StaffRole.RESULT_CLERK], hall_id__in=halls))
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


def _memo(cache: dict, key: tuple, compute) -> list[User]:
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _recipients(case: Case, reading, cache: dict) -> dict[int, tuple[str, User]]:
    """Who hears of one warning: the responsible staff at every level, supervisors at red and
    overdue, and the applicant for their own deadlines (supplement, deferred materials)."""
    halls = (case.receiving_hall_id, case.handed_to_hall_id, case.owning_department_id)
    staff = _memo(cache, ("staff", reading.clock, *halls), lambda: responsible_staff(case, reading.clock))
    recipients = {user.pk: ("staff", user) for user in staff}
    if reading.level in (WarningLevel.RED, WarningLevel.OVERDUE):
        for user in _memo(cache, ("supervisor", *halls), lambda: supervisors(case)):
            recipients.setdefault(user.pk, ("supervisor", user))
    if reading.clock in APPLICANT_CLOCKS:
        applicant = _memo(cache, ("applicant", case.applicant_id), lambda: [User.objects.get(pk=case.applicant_id)])
        recipients[case.applicant_id] = ("applicant", applicant[0])
    return recipients


# A digest lists at most this many cases; the rest are counted.
DIGEST_LINES = 20


def _drafts(changes: list[tuple[Case, object]], cache: dict) -> list[NoticeDraft]:
    """One notice per recipient per scan: a single warning as it is, several as a digest (a clerk
    whose thirty cases turn yellow at midnight gets one message, not thirty)."""
    per_user: dict[int, tuple[User, str, list]] = {}
    for case, reading in changes:
        for pk, (audience, user) in _recipients(case, reading, cache).items():
            per_user.setdefault(pk, (user, audience, []))[2].append((case, reading))
    drafts = []
    for user, audience, items in per_user.values():
        if len(items) == 1:
            case, reading = items[0]
            context = {
                "case": case,
                "reading": reading,
                "words": clock_words(reading),
                "audience": audience,
                "recipient": user,
            }
            subject, body = render_notice("clock_warning", context)
            link = _case_link(case, audience, reading.clock)
            drafts.append(NoticeDraft(user, "clock_warning", subject, body, link, case.number or ""))
            continue
        items.sort(key=lambda item: (LEVEL_RANK[item[1].level], item[1].due))
        counts = {level: sum(1 for _, r in items if r.level == level) for level in WARNING_LEVELS}
        context = {
            "items": items[:DIGEST_LINES],
            "more": max(len(items) - DIGEST_LINES, 0),
            "total": len(items),
            "counts": counts,
            "audience": audience,
            "recipient": user,
        }
        subject, body = render_notice("clock_digest", context)
        link = _link_pattern("cases:supervision" if audience == "supervisor" else "workbench")
        drafts.append(NoticeDraft(user, "clock_warning", subject, body, link, ""))
    return drafts


# Where each audience acts on a clock (names in cases/urls.py; the supervisor's page lists every clock).
LINK_NAMES = {
    "applicant": "cases:detail",
    "supervisor": "cases:supervision",
    "intake": "cases:review",
    "supplement": "cases:review",
    "decision": "cases:decide",
    "deferred": "cases:decide",
    "delivery": "cases:detail",
    "handoff": "cases:handoff",
}
_PK_MARK = 987654321


def _case_link(case: Case, audience: str, clock: str = "") -> str:
    name = LINK_NAMES.get(audience) or LINK_NAMES.get(clock, "cases:detail")
    pattern = _link_pattern(name)
    return pattern.replace(str(_PK_MARK), str(case.pk)) if pattern else ""


@cache
def _link_pattern(name: str) -> str:
    """reverse() once per URL name (a thousand warnings would otherwise resolve a thousand times)."""
    try:
        return reverse(name, args=[_PK_MARK])
    except NoReverseMatch:
        try:
            return reverse(name)
        except NoReverseMatch:
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
