"""Opening hours on the working-day calendar, and the slots they make.

1. A date's type comes from the calendar (hall.workdays): a statutory holiday is closed; a working
   day that falls on a weekend is a swapped working day (调休上班日, which uses the working-day hours
   when none are set for it); other working days are working days; other days are rest days, open
   only for the periods set as by appointment (延时/周末预约服务).
2. A day the hall closed (ClosedDay) has no slots.
3. Each opening period is cut into slots of its length; a slot row is made the first time someone
   books it, and its capacity is copied from the hours then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from ..models import ClosedDay, Hall, OpeningHours, Slot, WorkingDay
from ..workdays import is_working_day
from .constants import DayType


def day_type(day: dt.date) -> str:
    """The type of `day` on the working-day calendar (step 1)."""
    if is_working_day(day):
        return DayType.SWAP_WORKDAY if day.weekday() >= 5 else DayType.WORKING_DAY
    holiday = WorkingDay.objects.filter(date=day, kind="holiday").exists()
    if holiday or not day.weekday() >= 5:
        return DayType.HOLIDAY  # a weekday off is a statutory holiday (or an admin's closure)
    return DayType.REST_DAY


def hours_for(hall: Hall, day: dt.date, category: str | None = None) -> list[OpeningHours]:
    """The opening periods of `hall` on `day` (for one category if given), earliest first."""
    kind = day_type(day)
    if kind == DayType.HOLIDAY or ClosedDay.objects.filter(hall=hall, date=day).exists():
        return []
    rows = OpeningHours.objects.filter(hall=hall)
    if category:
        rows = rows.filter(category=category)
    found = list(rows.filter(day_type=kind).order_by("category", "starts_at"))
    if kind == DayType.SWAP_WORKDAY:
        categories_with_swap_hours = {row.category for row in found}
        found += [
            row
            for row in rows.filter(day_type=DayType.WORKING_DAY).order_by("category", "starts_at")
            if row.category not in categories_with_swap_hours
        ]
    return found


@dataclass(frozen=True)
class SlotPlan:
    """A slot as the opening hours define it (booked counts come from the Slot row, if made)."""

    hall_id: int
    category: str
    date: dt.date
    starts_at: dt.time
    ends_at: dt.time
    capacity: int
    booking_only: bool
    booked: int = 0

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


def _cut(hours: OpeningHours, day: dt.date) -> list[SlotPlan]:
    plans = []
    start = dt.datetime.combine(day, hours.starts_at)
    end = dt.datetime.combine(day, hours.ends_at)
    step = dt.timedelta(minutes=hours.slot_minutes)
    while start + step <= end:
        plans.append(
            SlotPlan(
                hall_id=hours.hall_id,
                category=hours.category,
                date=day,
                starts_at=start.time(),
                ends_at=(start + step).time(),
                capacity=hours.capacity,
                booking_only=hours.booking_only or hours.day_type == DayType.REST_DAY,
            )
        )
        start += step
    return plans


def slot_plans(hall: Hall, day: dt.date, category: str) -> list[SlotPlan]:
    """Every slot of `hall`'s `category` on `day` with its booked count (two queries)."""
    plans = [plan for hours in hours_for(hall, day, category) for plan in _cut(hours, day)]
    made = {
        slot.starts_at: slot
        for slot in Slot.objects.filter(hall=hall, category=category, date=day).only("starts_at", "booked", "capacity")
    }
    result = []
    for plan in plans:
        slot = made.get(plan.starts_at)
        if slot is not None:
            plan = SlotPlan(**{**plan.__dict__, "booked": slot.booked, "capacity": slot.capacity})
        result.append(plan)
    return result


def slot_plan_at(hall: Hall, day: dt.date, category: str, starts_at: dt.time) -> SlotPlan | None:
    return next((plan for plan in slot_plans(hall, day, category) if plan.starts_at == starts_at), None)


def open_now(hall: Hall, category: str, moment: dt.datetime) -> OpeningHours | None:
    """The opening period of `category` that `moment` (local) falls in, or None when it is closed."""
    local = timezone.localtime(moment)
    at = local.time()
    return next((row for row in hours_for(hall, local.date(), category) if row.starts_at <= at < row.ends_at), None)


def periods_now(hall: Hall, moment: dt.datetime) -> dict[str, OpeningHours]:
    """{category: the opening period `moment` falls in} for every category of `hall` open then."""
    local = timezone.localtime(moment)
    at = local.time()
    return {row.category: row for row in hours_for(hall, local.date()) if row.starts_at <= at < row.ends_at}


def categories_open_on(hall: Hall, day: dt.date) -> list[str]:
    return sorted({row.category for row in hours_for(hall, day)})
