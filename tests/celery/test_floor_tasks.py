"""The hall floor's beat tasks against a real worker: closing time (waiting tickets → missed, bookings
nobody came for → no-shows) and the day-before booking reminder."""

import datetime as dt

import pytest
from django.utils import timezone

from hall.constants import WindowCategory
from hall.floor.constants import BookingState, TicketState
from hall.floor.tasks import booking_remind, floor_day_close
from hall.models import Booking, Notice, Slot, Ticket

from .conftest import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]
C = WindowCategory.COMMERCIAL


def _booking(cast, day, code, person):
    slot, _ = Slot.objects.get_or_create(
        hall=cast.halls["JC"],
        category=C,
        date=day,
        starts_at=dt.time(9),
        defaults={"ends_at": dt.time(9, 30), "capacity": 4},
    )
    return Booking.objects.create(
        code=code,
        citizen=person,
        hall=slot.hall,
        slot=slot,
        category=C,
        date=day,
        starts_at=slot.starts_at,
        item_id=1,
        item_name="个体工商户设立登记",
    )


def test_floor_day_close_on_the_worker(cast, worker_factory):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ticket = Ticket.objects.create(
        hall=cast.halls["JC"], date=yesterday, category=C, sequence=1, number="C001", issued_at=timezone.now()
    )
    booking = _booking(cast, yesterday, "23456789", cast.citizen)
    worker_factory().start()
    floor_day_close.delay()
    wait_for(lambda: Ticket.objects.get(pk=ticket.pk).state == TicketState.MISSED, message="the ticket to be missed")
    wait_for(lambda: Booking.objects.get(pk=booking.pk).state == BookingState.NO_SHOW, message="the no-show")


def test_booking_remind_on_the_worker(cast, worker_factory):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    booking = _booking(cast, tomorrow, "34567892", cast.citizen)
    worker_factory(TONGBAN_BOOKING_REMIND_FROM="00:00").start()  # whatever the hour the test runs
    booking_remind.delay()
    wait_for(lambda: Booking.objects.get(pk=booking.pk).reminded_at is not None, message="the reminder")
    assert Notice.objects.filter(recipient=cast.citizen, kind="booking_reminder").count() == 1
