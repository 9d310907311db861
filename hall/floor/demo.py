"""Demo data of the hall floor: opening hours for the five demo halls (working days, evenings and
Saturday mornings by appointment) and a few bookings of the demo citizens. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from ..constants import WindowCategory
from ..models import Hall, OpeningHours, Window
from ..selectors import user_by_mobile
from .booking import booking_create
from .clock import floor_today
from .constants import BookingState, DayType
from .hours import slot_plans
from .tickets import seat_for

T = dt.time
# (category, day type, start, end, slot minutes, capacity, by appointment only)
HOURS = [
    *[
        (category, DayType.WORKING_DAY, start, end, 30, 4, False)
        for category in WindowCategory.values
        for start, end in ((T(8, 30), T(12, 0)), (T(14, 30), T(17, 30)))
    ],
    # 延时服务: weekday evenings for business and social affairs, by appointment only.
    (WindowCategory.COMMERCIAL, DayType.WORKING_DAY, T(17, 30), T(19, 30), 30, 2, True),
    (WindowCategory.SOCIAL, DayType.WORKING_DAY, T(17, 30), T(19, 30), 30, 2, True),
    # 周末预约服务: weekend mornings, by appointment only.
    (WindowCategory.COMMERCIAL, DayType.REST_DAY, T(9, 0), T(12, 0), 30, 2, True),
    (WindowCategory.SOCIAL, DayType.REST_DAY, T(9, 0), T(12, 0), 30, 2, True),
]
DEMO_MOBILES = ["13800000001", "13800000002", "13800000003"]  # 张伟, 李娜, 陈建国 (hall.demo)
# Windows that call more than their own category: the commercial window also calls cross-area tickets.
EXTRA_CATEGORIES = {WindowCategory.COMMERCIAL: [WindowCategory.COMMERCIAL, WindowCategory.CROSS_AREA]}


@transaction.atomic
def seed_floor_hours(halls=None) -> int:
    """Opening hours and window seats for `halls` (default: every hall). Returns rows made."""
    made = 0
    for hall in halls if halls is not None else Hall.objects.all():
        for category, day_type, start, end, minutes, capacity, booking_only in HOURS:
            _row, created = OpeningHours.objects.get_or_create(
                hall=hall,
                category=category,
                day_type=day_type,
                starts_at=start,
                defaults={"ends_at": end, "slot_minutes": minutes, "capacity": capacity, "booking_only": booking_only},
            )
            made += created
        for window in Window.objects.filter(hall=hall):
            seat = seat_for(window)
            if not seat.categories and window.category in EXTRA_CATEGORIES:
                seat.categories = EXTRA_CATEGORIES[window.category]
                seat.save(update_fields=["categories"])
    return made


def seed_floor_bookings(items: list[tuple[int, str]], *, hall_code: str = "JC") -> int:
    """A booking for each demo citizen on the next day with free slots, for the given (item id, name)."""
    hall = Hall.objects.filter(code=hall_code).first()
    if hall is None or not items:
        return 0
    citizens = [user_by_mobile(mobile) for mobile in DEMO_MOBILES]
    citizens = [citizen for citizen in citizens if citizen is not None]
    day = floor_today() + dt.timedelta(days=1)
    made = 0
    for citizen, (item_id, item_name) in zip(citizens, items * len(citizens), strict=False):
        if citizen.bookings.filter(item_id=item_id, state=BookingState.ACTIVE).exists():
            continue
        for offset in range(7):
            plans = [p for p in slot_plans(hall, day + dt.timedelta(days=offset), WindowCategory.COMMERCIAL) if p.free]
            if not plans:
                continue
            try:
                booking_create(
                    citizen=citizen,
                    hall=hall,
                    category=WindowCategory.COMMERCIAL,
                    day=plans[0].date,
                    starts_at=plans[len(plans) // 3].starts_at,
                    item_id=item_id,
                    item_name=item_name,
                )
            except ValidationError:
                continue
            made += 1
            break
    return made
