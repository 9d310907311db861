"""The case clock: due dates, the earliest open one (`next_due`) and the warning level.

Definitions (docs/clock.md has the worked examples):

1. Due dates, the start day not counted, each in the unit of its limit (working days through
   hall.workdays, or calendar days 自然日 where the item's own law says 日; Art. 82):
   - intake decision due: the item's intake limit (Art. 32: 5 working days) from receipt, or from
     the day the last supplement arrived;
   - decision due: the item's promised limit from acceptance, plus approved extension days, plus
     the days spent in special procedures (Art. 45: that time is not counted); a child case of a
     bundle (joint handling) is due no later than 45 working days plus its extension (Art. 42 ¶2);
   - delivery due: the item's delivery limit (Art. 44: 10 working days) from the decision;
   - supplement and deferred-material deadlines are set by the services; a deferred deadline is
     capped at the decision due date (DOMAIN.md §3: never beyond the promised completion date).
   Instant cases (即办件) are due the day they are accepted, by the hall's closing time.
2. A clock is open while the case is in the state that the clock measures (intake while submitted,
   the supplement deadline while supplement is requested, decision while accepted, delivery while
   approved or denied). A suspended case has no open decision clock: it is stopped.
3. Warning level of an open clock with `left` = days (in the clock's unit) after today up to the due date:
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

from .constants import DECIDED_STATES, JOINT_DAYS, CaseState, WarningLevel

INTAKE_DAYS = 5  # 行政许可法 Art. 32
DELIVERY_DAYS = 10  # Art. 44
WORKING_DAY = "working_day"
NATURAL_DAY = "natural_day"
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
    unit: str = WORKING_DAY  # the unit of days_left: working_day or natural_day

    @property
    def label(self) -> str:
        return CLOCK_LABELS[self.clock]

    @property
    def unit_label(self) -> str:
        return unit_label(self.unit)


def unit_label(unit: str) -> str:
    return str(_("自然日") if unit == NATURAL_DAY else _("工作日"))


def add_days(start: dt.date, days: int, unit: str = WORKING_DAY) -> dt.date:
    """`days` after `start` (not counted) in `unit`: calendar days, or working days of the calendar."""
    if unit == NATURAL_DAY:
        return start + dt.timedelta(days=days)
    return add_working_days(start, days)


def days_between(start: dt.date, end: dt.date, unit: str = WORKING_DAY) -> int:
    if unit == NATURAL_DAY:
        return (end - start).days
    return working_days_between(start, end)


def limit_units(version) -> dict[str, str]:
    """The unit of each clock of an item version (working days unless the item says otherwise)."""
    decision = getattr(version, "limit_unit", None) or WORKING_DAY
    return {
        "intake": getattr(version, "intake_unit", None) or WORKING_DAY,
        "supplement": WORKING_DAY,  # a date the clerk sets; read like the hall's own limits
        "decision": decision,
        "deferred": decision,
        "delivery": getattr(version, "delivery_unit", None) or WORKING_DAY,
    }


def clock_unit(case, clock: str) -> str:
    version = _item_version(case)
    return limit_units(version).get(clock, WORKING_DAY) if version is not None else WORKING_DAY


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
    """Days inside the case's finished special procedures, overlaps counted once, in the unit of
    the decision limit (working days, or calendar days for an item whose law counts 自然日)."""
    if getattr(case, "pk", None) is None or not hasattr(case, "special_procedures"):
        return getattr(case, "paused_days", 0) or 0
    pauses = [(p.started_on, p.ended_on) for p in case.special_procedures.all() if p.ended_on is not None]
    if not pauses:
        return 0
    if clock_unit(case, "decision") == NATURAL_DAY:
        covered: set[dt.date] = set()
        for begin, finish in pauses:
            covered |= {begin + dt.timedelta(days=n) for n in range(1, (finish - begin).days + 1)}
        return len(covered)
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
        case.intake_due = intake_due_for(case, intake_from)
    if hasattr(case, "paused_days"):
        case.paused_days = special_procedure_days(case)
    if hasattr(case, "decision_due"):
        case.decision_due = _decision_due(case, accepted_on, version)
    if hasattr(case, "delivery_due"):
        delivery_days = getattr(version, "delivery_days", None)
        delivery_days = DELIVERY_DAYS if delivery_days is None else delivery_days
        case.delivery_due = add_days(decided_on, delivery_days, clock_unit(case, "delivery")) if decided_on else None
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


def intake_start(case) -> dt.date | None:
    """The day the intake limit runs from: receipt, or the day the last supplement arrived (Art. 32)."""
    return getattr(case, "last_material_on", None) or _local_date(getattr(case, "received_at", None))


def intake_due_for(case, intake_from: dt.date | None) -> dt.date | None:
    """The last day on which the hall may still decide on intake (Art. 32: 5 working days)."""
    if intake_from is None:
        return None
    version = _item_version(case)
    days = getattr(version, "intake_days", None) if version is not None else None
    return add_days(intake_from, INTAKE_DAYS if days is None else days, clock_unit(case, "intake"))


def _decision_due(case, accepted_on: dt.date | None, version) -> dt.date | None:
    if accepted_on is None or version is None:
        return None
    if getattr(version, "case_kind", "") == "instant":
        return next_working_day(accepted_on)
    unit = clock_unit(case, "decision")
    extension = getattr(case, "extension_days", 0) or 0
    paused = getattr(case, "paused_days", 0) or 0
    days = (getattr(version, "promised_days", 0) or 0) + extension
    due = add_days(accepted_on, days + paused, unit)
    if getattr(case, "parent_id", None):
        # Joint handling of a bundle (Art. 42 ¶2): 45 working days, plus the approved extension.
        due = min(due, add_working_days(accepted_on, JOINT_DAYS + extension + paused))
    return due


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
    elif state in DECIDED_STATES:
        clocks.append(("delivery", getattr(case, "delivery_due", None)))
    # A cross-county hand-off (forwarding, paper in transit, the result sent back) runs beside them.
    clocks.append(("handoff", getattr(case, "handoff_due", None)))
    return [(clock, due) for clock, due in clocks if due is not None]


def level_for(
    due: dt.date, today: dt.date, threshold: int = DEFAULT_YELLOW_DAYS, unit: str = WORKING_DAY
) -> tuple[str, int]:
    """(warning level, days left in `unit`) of a clock due on `due`, read on `today`."""
    if due < today:
        return WarningLevel.OVERDUE, days_between(today, due, unit)
    if due == today:
        return WarningLevel.RED, 0
    left = days_between(today, due, unit)
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
    unit = clock_unit(case, clock)
    if clock == "decision" and is_instant(case):
        unit = WORKING_DAY
        level, minutes = instant_level_for(due, now)
        left = 0 if due == today else working_days_between(today, due)
    else:
        level, left = level_for(due, today, yellow_threshold(case), unit)
    if unit == NATURAL_DAY:
        provisional = False  # calendar days do not depend on the holiday announcement
    else:
        provisional = any_provisional(today, due) if due >= today else is_provisional(due)
    return ClockReading(clock, due, level, left, minutes, provisional, unit)


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
