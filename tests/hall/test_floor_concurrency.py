"""At the same moment: two people take the last place of a slot (exactly one gets it) and two windows
call next (each gets a different ticket). Two real PostgreSQL connections (threads) with row locks."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from hall.constants import StaffRole, WindowCategory
from hall.floor.booking import booking_create
from hall.floor.tickets import ticket_call_next, ticket_issue, window_sign_in
from hall.models import Booking, Slot, Window
from tests.factories import AssignmentFactory, CitizenFactory, StaffFactory

from .floor_helpers import ITEM_ID, TUESDAY, WEDNESDAY

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real PostgreSQL connections"),
    pytest.mark.django_db(transaction=True),
]
C = WindowCategory.COMMERCIAL


def _race(work, args_list):
    barrier = threading.Barrier(len(args_list))
    outcomes = {}

    def run(key, *args):
        try:
            barrier.wait(timeout=10)
            outcomes[key] = work(*args)
        except ValidationError as error:
            outcomes[key] = error.messages[0]
        except Exception as error:  # pragma: no cover - shown by the assertions
            outcomes[key] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, *args)) for n, args in enumerate(args_list)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_last_place_goes_to_exactly_one(floor, clock):
    clock(TUESDAY, 10)
    jc = floor.halls["JC"]
    for n in range(3):
        booking_create(
            citizen=CitizenFactory(),
            hall=jc,
            category=C,
            day=WEDNESDAY,
            starts_at=dt.time(9),
            item_id=ITEM_ID + n,
            item_name="x",
        )
    people = [CitizenFactory(), CitizenFactory()]

    def book(person):
        booking = booking_create(
            citizen=person, hall=jc, category=C, day=WEDNESDAY, starts_at=dt.time(9), item_id=ITEM_ID, item_name="x"
        )
        return booking.code

    outcomes = _race(book, [(p,) for p in people])
    codes = [o for o in outcomes.values() if o.isdigit()]
    assert len(codes) == 1, outcomes
    assert any("已约满" in o for o in outcomes.values()), outcomes
    slot = Slot.objects.get(hall=jc, date=WEDNESDAY, starts_at=dt.time(9))
    assert slot.booked == slot.capacity == 4
    assert Booking.objects.filter(slot=slot).count() == 4


def test_first_two_bookers_of_a_new_slot_both_get_in(floor, clock):
    """Nobody has booked the slot yet: both make its row at once; one insert wins, both book."""
    clock(TUESDAY, 10)
    jc = floor.halls["JC"]
    people = [CitizenFactory(), CitizenFactory()]

    def book(person):
        return booking_create(
            citizen=person, hall=jc, category=C, day=WEDNESDAY, starts_at=dt.time(10), item_id=ITEM_ID, item_name="x"
        ).code

    outcomes = _race(book, [(p,) for p in people])
    assert all(o.isdigit() for o in outcomes.values()), outcomes
    assert Slot.objects.get(hall=jc, date=WEDNESDAY, starts_at=dt.time(10)).booked == 2


def test_two_windows_calling_at_once_get_different_tickets(floor, clock):
    clock(TUESDAY, 9)
    jc = floor.halls["JC"]
    second = AssignmentFactory(user=StaffFactory(), hall=jc, role=StaffRole.WINDOW_CLERK).user
    windows = [Window.objects.get(hall=jc, number=3), Window.objects.get(hall=jc, number=5)]
    window_sign_in(clerk=floor.clerk, window=windows[0])
    window_sign_in(clerk=second, window=windows[1])
    for _ in range(2):
        ticket_issue(hall=jc, category=C)

    def call(clerk, window):
        from hall.models import WindowSeat

        WindowSeat.objects.filter(window=window).update(categories=[C])
        return ticket_call_next(clerk=clerk, window=window).number

    outcomes = _race(call, [(floor.clerk, windows[0]), (second, windows[1])])
    assert sorted(outcomes.values()) == ["C001", "C002"], outcomes
