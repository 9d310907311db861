"""Figures per hall and day: tickets, average and p90 wait, average service time, missed, bookings
kept and no-shows; read with a fixed number of queries whatever the day's volume."""

import datetime as dt

import pytest
from django.utils import timezone

from hall.constants import WindowCategory
from hall.floor.constants import BookingState, TicketState
from hall.floor.selectors import day_figures, figures_for_supervisor
from hall.models import Booking, Slot, Ticket, User
from tests.factories import CitizenFactory

from .floor_helpers import TUESDAY

pytestmark = pytest.mark.django_db
C = WindowCategory.COMMERCIAL


def _tickets(hall, waits, service=None, state=TicketState.SERVED):
    start = Ticket.objects.filter(hall=hall, date=TUESDAY).count()
    for n, wait in enumerate(waits, start=start + 1):
        Ticket.objects.create(
            hall=hall,
            date=TUESDAY,
            category=C,
            sequence=n,
            number=f"C{n:03d}",
            issued_at=timezone.now(),
            state=state,
            wait_seconds=wait,
            service_seconds=service,
        )


def _bookings(hall, state, n):
    slot, _ = Slot.objects.get_or_create(
        hall=hall, category=C, date=TUESDAY, starts_at=dt.time(9), defaults={"ends_at": dt.time(9, 30), "capacity": 9}
    )
    for _ in range(n):
        Booking.objects.create(
            code=f"{Booking.objects.count() + 30000000}",
            citizen=CitizenFactory(),
            hall=hall,
            slot=slot,
            category=C,
            date=TUESDAY,
            starts_at=slot.starts_at,
            item_id=1,
            item_name="x",
            state=state,
        )


def test_day_figures(cast, django_assert_max_num_queries):
    jc = cast.halls["JC"]
    # waits of 1..10 minutes, each served in 4 minutes; two missed after 20 minutes; one still waiting
    _tickets(jc, [60 * m for m in range(1, 11)], service=240)
    _tickets(jc, [1200, 1200], state=TicketState.MISSED)
    _tickets(jc, [None], state=TicketState.WAITING)
    _tickets(cast.halls["YD"], [6000], service=6000)  # another hall: not counted
    _bookings(jc, BookingState.KEPT, 3)
    _bookings(jc, BookingState.NO_SHOW, 2)
    with django_assert_max_num_queries(3):
        figures = day_figures(jc, TUESDAY)
    assert figures.tickets == 13 and figures.served == 10 and figures.missed == 2
    # waits: 60..600 and 1200, 1200 → mean 5700/12 s; p90 of 12 values is the 11th smallest (1200 s)
    assert figures.average_wait_minutes == round(5700 / 12 / 60, 1)
    assert figures.p90_wait_minutes == 20.0
    assert figures.average_service_minutes == 4.0
    assert figures.bookings_kept == 3 and figures.no_shows == 2


def test_an_empty_day(cast):
    figures = day_figures(cast.halls["JC"], TUESDAY)
    assert figures.tickets == 0 and figures.average_wait_minutes is None and figures.p90_wait_minutes is None


def test_supervisor_sees_their_region_and_below(cast):
    city = figures_for_supervisor(User.objects.get(username="yj_supervisor"), TUESDAY)
    assert {f.hall.code for f in city} == {"YJ", "JC", "YD", "YX", "YC"}
    assert [f.hall.code for f in figures_for_supervisor(cast.supervisor, TUESDAY)] == ["JC"]
    assert figures_for_supervisor(cast.clerk, TUESDAY) == []
