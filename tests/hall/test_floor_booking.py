"""Bookings (预约): slots from the opening hours and the calendar, booking and cancelling, one active
booking per item, the no-show block, the day-before reminder and closing a day."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hall.constants import WindowCategory
from hall.floor.booking import (
    booking_blocked_until,
    booking_cancel,
    booking_create,
    bookings_remind,
    hall_day_close,
)
from hall.floor.constants import BookingState, DayType
from hall.floor.hours import day_type, slot_plans
from hall.models import Booking, Notice, OpeningHours, Slot, WorkingDay
from tests.factories import CitizenFactory

from .floor_helpers import ITEM_ID, ITEM_NAME, SATURDAY, TUESDAY, WEDNESDAY

pytestmark = pytest.mark.django_db
C = WindowCategory.COMMERCIAL


def _book(citizen, hall, day=WEDNESDAY, at=dt.time(9, 0), item_id=ITEM_ID, category=C):
    return booking_create(
        citizen=citizen, hall=hall, category=category, day=day, starts_at=at, item_id=item_id, item_name=ITEM_NAME
    )


def test_day_types_follow_the_calendar():
    WorkingDay.objects.create(date=dt.date(2026, 12, 6), is_working_day=True, kind="swap_workday")
    WorkingDay.objects.create(date=dt.date(2026, 12, 3), is_working_day=False, kind="holiday")
    assert day_type(TUESDAY) == DayType.WORKING_DAY
    assert day_type(SATURDAY) == DayType.REST_DAY
    assert day_type(dt.date(2026, 12, 6)) == DayType.SWAP_WORKDAY
    assert day_type(dt.date(2026, 12, 3)) == DayType.HOLIDAY


def test_slots_working_day_evening_weekend_and_holiday(floor):
    jc = floor.halls["JC"]
    working = slot_plans(jc, WEDNESDAY, C)
    assert working[0].starts_at == dt.time(8, 30) and working[0].capacity == 4
    evening = [p for p in working if p.starts_at >= dt.time(17, 30)]
    assert evening and all(p.booking_only for p in evening)
    saturday = slot_plans(jc, SATURDAY, C)
    assert saturday and all(p.booking_only for p in saturday) and saturday[0].starts_at == dt.time(9, 0)
    assert slot_plans(jc, SATURDAY, WindowCategory.INVESTMENT) == []
    WorkingDay.objects.create(date=WEDNESDAY, is_working_day=False, kind="holiday")
    from hall.workdays import workdays_changed

    workdays_changed()
    assert slot_plans(jc, WEDNESDAY, C) == []


def test_swapped_working_day_uses_working_day_hours(floor):
    from hall.workdays import workdays_changed

    sunday = dt.date(2026, 12, 6)
    WorkingDay.objects.create(date=sunday, is_working_day=True, kind="swap_workday")
    workdays_changed()
    plans = slot_plans(floor.halls["JC"], sunday, WindowCategory.INVESTMENT)
    assert plans and plans[0].starts_at == dt.time(8, 30) and not plans[0].booking_only


def test_book_and_cancel(floor, clock):
    clock(TUESDAY, 10)
    jc = floor.halls["JC"]
    booking = _book(floor.citizen, jc)
    assert booking.state == BookingState.ACTIVE and len(booking.code) == 8 and booking.code.isdigit()
    assert Slot.objects.get(pk=booking.slot_id).booked == 1
    assert Notice.objects.filter(recipient=floor.citizen, kind="booking_created").exists()
    booking_cancel(booking=booking, citizen=floor.citizen)
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED
    assert Slot.objects.get(pk=booking.slot_id).booked == 0
    # cancelled: the same item may be booked again
    assert _book(floor.citizen, jc).state == BookingState.ACTIVE


def test_cancel_someone_elses_booking_is_refused(floor, clock):
    clock(TUESDAY, 10)
    booking = _book(floor.citizen, floor.halls["JC"])
    with pytest.raises(PermissionDenied):
        booking_cancel(booking=booking, citizen=floor.other_citizen)


@pytest.mark.parametrize(
    "day,at,code",
    [
        (TUESDAY, dt.time(9, 0), "past"),  # earlier today
        (dt.date(2026, 11, 30), dt.time(9, 0), "past"),
        (WEDNESDAY, dt.time(12, 0), "closed"),  # lunch break
        (WEDNESDAY, dt.time(8, 45), "closed"),  # not a slot start
        (dt.date(2026, 12, 30), dt.time(9, 0), "horizon"),
    ],
)
def test_bad_bookings_change_nothing(floor, clock, day, at, code):
    clock(TUESDAY, 10)
    with pytest.raises(ValidationError) as error:
        _book(floor.citizen, floor.halls["JC"], day=day, at=at)
    assert error.value.code == code
    assert not Booking.objects.exists() and not Slot.objects.filter(booked__gt=0).exists()


def test_closed_day_and_unserved_category(floor, clock):
    clock(TUESDAY, 10)
    jc = floor.halls["JC"]
    hall_day_close(hall=jc, day=WEDNESDAY, reason="系统升级", actor=floor.admin)
    with pytest.raises(ValidationError) as error:
        _book(floor.citizen, jc)
    assert error.value.code == "closed"
    OpeningHours.objects.filter(hall=jc, category=WindowCategory.INVESTMENT).delete()
    with pytest.raises(ValidationError):
        _book(floor.citizen, jc, day=dt.date(2026, 12, 3), category=WindowCategory.INVESTMENT)
    assert not Booking.objects.exists()


def test_full_slot_is_refused(floor, clock):
    clock(TUESDAY, 10)
    jc = floor.halls["JC"]
    for n in range(4):
        _book(CitizenFactory(), jc, item_id=ITEM_ID + n)
    with pytest.raises(ValidationError) as error:
        _book(floor.citizen, jc)
    assert error.value.code == "full"
    assert Slot.objects.get(hall=jc, date=WEDNESDAY, starts_at=dt.time(9, 0)).booked == 4


def test_second_active_booking_of_the_same_item(floor, clock):
    clock(TUESDAY, 10)
    jc = floor.halls["JC"]
    _book(floor.citizen, jc)
    with pytest.raises(ValidationError) as error:
        _book(floor.citizen, jc, day=dt.date(2026, 12, 3), at=dt.time(10, 0))
    assert error.value.code == "duplicate"
    assert Booking.objects.count() == 1
    assert _book(floor.citizen, jc, item_id=ITEM_ID + 1).state == BookingState.ACTIVE


def test_staff_and_anonymous_cannot_book(floor, clock):
    clock(TUESDAY, 10)
    with pytest.raises(PermissionDenied):
        _book(floor.clerk, floor.halls["JC"])


def _no_show(citizen, hall, day):
    slot, _ = Slot.objects.get_or_create(
        hall=hall, category=C, date=day, starts_at=dt.time(9, 0), defaults={"ends_at": dt.time(9, 30), "capacity": 4}
    )
    return Booking.objects.create(
        code=f"{Booking.objects.count() + 22222222}",
        citizen=citizen,
        hall=hall,
        slot=slot,
        category=C,
        date=day,
        starts_at=slot.starts_at,
        item_id=Booking.objects.count() + 1,
        item_name="x",
        state=BookingState.NO_SHOW,
    )


def test_three_no_shows_in_90_days_block_for_30_days(floor, clock):
    clock(TUESDAY, 10)
    jc = floor.halls["JC"]
    for days_ago in (80, 40, 5):
        _no_show(floor.citizen, jc, TUESDAY - dt.timedelta(days=days_ago))
    until = booking_blocked_until(floor.citizen, today=TUESDAY)
    assert until == TUESDAY - dt.timedelta(days=5) + dt.timedelta(days=30)
    with pytest.raises(ValidationError) as error:
        _book(floor.citizen, jc)
    assert error.value.code == "blocked" and until.strftime("%Y年%m月%d日") in error.value.messages[0]
    assert booking_blocked_until(floor.citizen, today=until) is None
    # three no-shows spread over more than 90 days do not block
    assert booking_blocked_until(floor.other_citizen, today=TUESDAY) is None
    for days_ago in (100, 50, 5):
        _no_show(floor.other_citizen, jc, TUESDAY - dt.timedelta(days=days_ago))
    assert booking_blocked_until(floor.other_citizen, today=TUESDAY) is None


def test_reminder_the_day_before_once(floor, clock):
    clock(TUESDAY, 10)
    booking = _book(floor.citizen, floor.halls["JC"])
    _book(floor.other_citizen, floor.halls["JC"], day=dt.date(2026, 12, 3))
    assert bookings_remind(today=TUESDAY) == 1
    assert bookings_remind(today=TUESDAY) == 0
    booking.refresh_from_db()
    assert booking.reminded_at is not None
    notice = Notice.objects.get(kind="booking_reminder")
    assert notice.recipient == floor.citizen and booking.code in notice.body


def test_reminders_wait_for_the_morning(floor, clock):
    clock(TUESDAY, 10)
    _book(floor.citizen, floor.halls["JC"])
    clock(TUESDAY, 6)
    assert bookings_remind() == 0
    clock(TUESDAY, 9, 1)
    assert bookings_remind() == 1


def test_closing_a_day_cancels_and_tells_those_booked(floor, clock):
    clock(TUESDAY, 10)
    jc = floor.halls["JC"]
    first = _book(floor.citizen, jc)
    second = _book(floor.other_citizen, jc, at=dt.time(14, 30))
    closure, told = hall_day_close(hall=jc, day=WEDNESDAY, reason="停电检修", actor=floor.admin)
    assert told == 2
    for booking in (first, second):
        booking.refresh_from_db()
        assert booking.state == BookingState.HALL_CLOSED
    notices = Notice.objects.filter(kind="booking_hall_closed")
    assert {n.recipient_id for n in notices} == {floor.citizen.pk, floor.other_citizen.pk}
    assert all("停电检修" in n.body for n in notices)
    with pytest.raises(ValidationError):
        hall_day_close(hall=jc, day=WEDNESDAY, reason="again", actor=floor.admin)
    with pytest.raises(ValidationError):
        hall_day_close(hall=jc, day=dt.date(2026, 12, 3), reason="  ", actor=floor.admin)


def test_my_bookings_list_the_active_one_before_many_cancelled(floor, clock):
    """A citizen who booked and cancelled often still finds (and can cancel) the booking that counts."""
    from hall.floor.selectors import bookings_for_citizen

    clock(TUESDAY, 10)
    for _ in range(3):
        booking_cancel(booking=_book(floor.citizen, floor.halls["JC"], at=dt.time(11, 0)), citizen=floor.citizen)
    active = _book(floor.citizen, floor.halls["JC"], at=dt.time(9, 0))
    listed = bookings_for_citizen(floor.citizen, limit=2)
    assert listed[0] == active and len(listed) == 2
