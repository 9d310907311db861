"""The case clock: due dates, the earliest open one (`next_due`) and the warning level.

Definitions (docs/clock.md has the worked examples):

1. Due dates, all in working days with the start day not counted (hall.workdays):
   - intake decision due: 5 working days from receipt (or from the day the last supplement arrived);
   - decision due: the item's promised limit from acceptance, plus approved extension days, plus
     the working days spent in special procedures (Art. 45: that time is not counted);
   - delivery due: 10 working days from the decision (Art. 44);
   - supplement and deferred-material deadlines are set by the services; a deferred deadline is
     capped at the decision due date (DOMAIN.md §3: never beyond the promised completion date).
   Instant cases (即办件) are due the day they are accepted, by the hall's closing time.
2. A clock is open while the case is in the state that the clock measures (intake while submitted,
   the supplement deadline while supplement is requested, decision while accepted, delivery while
   approved or denied). A suspended case has no open decision clock: it is stopped.
3. Warning level of an open clock with `left` = working days after today up to the due date:
   overdue when the due date has passed; red on the due date itself; yellow when left <= the
   item's yellow threshold (default 1); green otherwise. Instant cases use minutes to closing
   time: yellow under 120, red under 60, overdue after closing.
   The case's level is the worst level of its open clocks; `next_due` the earliest open due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case as When_Case
from django.db.models import F, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hall.workdays import add_working_days, any_provisional, is_provisional, next_working_day, working_days_between

from .constants import CaseState, WarningLevel

INTAKE_DAYS = 5  # 行政许可法 Art. 32
DELIVERY_DAYS = 10  # Art. 44
DEFAULT_YELLOW_DAYS = 1
INSTANT_YELLOW_MINUTES = 120
INSTANT_RED_MINUTES = 60

# Worst first: the order a workbench sorts by urgency.
LEVEL_RANK = {
    WarningLevel.OVERDUE: 0,
    WarningLevel.RED: 1,
    WarningLevel.YELLOW: 2,
    WarningLevel.GREEN: 3,
    WarningLevel.NONE: 4,
}
CLOCK_LABELS = {
    "intake": _("受理审查"),
    "supplement": _("补正材料"),
    "decision": _("办结"),
    "deferred": _("容缺补齐"),
    "delivery": _("送达"),
    "handoff": _("通办移交"),
}


@dataclass(frozen=True)
class ClockReading:
    """One open clock read at a moment."""

    clock: str  # intake / supplement / decision / deferred / delivery
    due: dt.date
    level: str
    days_left: int  # working days after today up to the due date (negative when overdue)
    minutes_left: int | None  # instant cases only
    provisional: bool  # the days between today and the due date include provisional calendar days

    @property
    def label(self) -> str:
        return CLOCK_LABELS[self.clock]


def closing_time() -> dt.time:
    hours, minutes = getattr(settings, "TONGBAN_HALL_CLOSING_TIME", "17:30").split(":")
    return dt.time(int(hours), int(minutes))


def _local_date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def _item_version(case):
    if getattr(case, "item_version_id", None) is None:
        return None
    return case.item_version


def is_instant(case) -> bool:
    version = _item_version(case)
    return version is not None and getattr(version, "case_kind", "") == "instant"


def yellow_threshold(case) -> int:
    version = _item_version(case)
    value = getattr(version, "yellow_threshold_days", None) if version is not None else None
    return DEFAULT_YELLOW_DAYS if value is None else value


def special_procedure_days(case) -> int:
    """Working days inside the case's finished special procedures, overlaps counted once."""
    if getattr(case, "pk", None) is None or not hasattr(case, "special_procedures"):
        return getattr(case, "paused_days", 0) or 0
    pauses = [(p.started_on, p.ended_on) for p in case.special_procedures.all() if p.ended_on is not None]
    if not pauses:
        return 0
    start = min(begin for begin, _ in pauses)
    end = max(finish for _, finish in pauses)
    return working_days_between(start, end) - working_days_between(start, end, pauses)


def case_clock_recompute(case, *, today: dt.date | None = None) -> None:
    """Set the due dates, `paused_days`, `next_due` and `warning_level` of `case` (does not save).

    Every service that changes a date, a pause or an extension calls it before saving; the
    calendar recompute task calls it for every open case after an admin edits the calendar."""
    received_on = _local_date(getattr(case, "received_at", None))
    accepted_on = getattr(case, "accepted_on", None)
    decided_on = _local_date(getattr(case, "decided_at", None))
    version = _item_version(case)

    intake_from = getattr(case, "last_material_on", None) or received_on
    if hasattr(case, "intake_due"):
        case.intake_due = add_working_days(intake_from, INTAKE_DAYS) if intake_from else None
    if hasattr(case, "paused_days"):
        case.paused_days = special_procedure_days(case)
    if hasattr(case, "decision_due"):
        case.decision_due = _decision_due(case, accepted_on, version)
    if hasattr(case, "delivery_due"):
        case.delivery_due = add_working_days(decided_on, DELIVERY_DAYS) if decided_on else None
    deferred_due = getattr(case, "deferred_due", None)
    if deferred_due and getattr(case, "decision_due", None) and deferred_due > case.decision_due:
        case.deferred_due = case.decision_due

    reading = case_clock_reading(case, now=_now_for(today))
    if hasattr(case, "next_due"):
        case.next_due = min((due for _, due in open_clocks(case)), default=None)
    if hasattr(case, "warning_level"):
        case.warning_level = reading.level if reading else WarningLevel.NONE


def _now_for(today: dt.date | None) -> dt.datetime | None:
    if today is None:
        return None
    return timezone.make_aware(dt.datetime.combine(today, dt.time(0, 0)))


def _decision_due(case, accepted_on: dt.date | None, version) -> dt.date | None:
    if accepted_on is None or version is None:
        return None
    if getattr(version, "case_kind", "") == "instant":
        return next_working_day(accepted_on)
    days = (getattr(version, "promised_days", 0) or 0) + (getattr(case, "extension_days", 0) or 0)
    return add_working_days(accepted_on, days + (getattr(case, "paused_days", 0) or 0))


def open_clocks(case) -> list[tuple[str, dt.date]]:
    """The clocks running in the case's current state, as (clock, due date)."""
    state = getattr(case, "state", None)
    clocks: list[tuple[str, dt.date | None]] = []
    if state == CaseState.SUBMITTED:
        clocks.append(("intake", getattr(case, "intake_due", None)))
    elif state == CaseState.SUPPLEMENT_REQUESTED:
        clocks.append(("supplement", getattr(case, "supplement_due", None)))
    elif state == CaseState.ACCEPTED:
        clocks.append(("decision", getattr(case, "decision_due", None)))
        clocks.append(("deferred", getattr(case, "deferred_due", None)))
    elif state in (CaseState.APPROVED, CaseState.DENIED):
        clocks.append(("delivery", getattr(case, "delivery_due", None)))
    # A cross-county hand-off (forwarding, paper in transit, the result sent back) runs beside them.
    clocks.append(("handoff", getattr(case, "handoff_due", None)))
    return [(clock, due) for clock, due in clocks if due is not None]


def level_for(due: dt.date, today: dt.date, threshold: int = DEFAULT_YELLOW_DAYS) -> tuple[str, int]:
    """(warning level, working days left) of a clock due on `due`, read on `today`."""
    if due < today:
        return WarningLevel.OVERDUE, working_days_between(today, due)
    if due == today:
        return WarningLevel.RED, 0
    left = working_days_between(today, due)
    return (WarningLevel.YELLOW if left <= threshold else WarningLevel.GREEN), left


def instant_level_for(due: dt.date, now: dt.datetime) -> tuple[str, int]:
    """(warning level, minutes left) of an instant case due by closing time on `due`."""
    deadline = timezone.make_aware(dt.datetime.combine(due, closing_time()))
    minutes = int((deadline - now).total_seconds() // 60)
    if minutes < 0:
        return WarningLevel.OVERDUE, minutes
    if minutes < INSTANT_RED_MINUTES:
        return WarningLevel.RED, minutes
    if minutes < INSTANT_YELLOW_MINUTES:
        return WarningLevel.YELLOW, minutes
    return WarningLevel.GREEN, minutes


def read_clock(case, clock: str, due: dt.date, *, now: dt.datetime | None = None) -> ClockReading:
    now = now or timezone.now()
    today = timezone.localdate(now)
    minutes = None
    if clock == "decision" and is_instant(case):
        level, minutes = instant_level_for(due, now)
        left = 0 if due == today else working_days_between(today, due)
    else:
        level, left = level_for(due, today, yellow_threshold(case))
    provisional = any_provisional(today, due) if due >= today else is_provisional(due)
    return ClockReading(clock, due, level, left, minutes, provisional)


def case_clock_reading(case, *, now: dt.datetime | None = None) -> ClockReading | None:
    """The most urgent open clock of the case (worst level, then earliest due), or None."""
    readings = [read_clock(case, clock, due, now=now) for clock, due in open_clocks(case)]
    if not readings:
        return None
    return min(readings, key=lambda r: (LEVEL_RANK[r.level], r.due))


def case_clock_readings(case, *, now: dt.datetime | None = None) -> list[ClockReading]:
    return [read_clock(case, clock, due, now=now) for clock, due in open_clocks(case)]


# Selectors for workbenches ----------------------------------------------------------------------


def cases_by_urgency(qs: QuerySet, level: str | None = None) -> QuerySet:
    """Annotate `urgency` (0 overdue … 4 no clock) and order the most urgent first, earliest due
    first within a level; with `level`, keep only that warning level. Reads the stored level, which
    the SLA scan keeps current."""
    qs = qs.annotate(
        urgency=When_Case(
            *[When(warning_level=lvl, then=Value(rank)) for lvl, rank in LEVEL_RANK.items()],
            default=Value(len(LEVEL_RANK)),
            output_field=IntegerField(),
        )
    )
    if level:
        qs = qs.filter(warning_level=level)
    return qs.order_by("urgency", F("next_due").asc(nulls_last=True), "pk")
