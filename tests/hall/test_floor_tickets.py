"""Queue tickets (取号) and calling (叫号): numbering, lanes and order, one waiting ticket per person
per category, windows signed in, recall / missed / served / transfer, closing time."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from hall.constants import WindowCategory
from hall.demo import make_id_number
from hall.floor.booking import booking_create
from hall.floor.closing import floor_close_due
from hall.floor.constants import BookingState, TicketLane, TicketState
from hall.floor.selectors import ticket_place
from hall.floor.tickets import (
    ticket_call_next,
    ticket_issue,
    ticket_issue_for_booking,
    ticket_miss,
    ticket_recall,
    ticket_serve,
    ticket_transfer,
    window_sign_in,
)
from hall.models import Booking, OpeningHours, Ticket, Window
from tests.factories import CitizenFactory

from .floor_helpers import ITEM_ID, ITEM_NAME, TUESDAY, WEDNESDAY

pytestmark = pytest.mark.django_db
C = WindowCategory.COMMERCIAL
S = WindowCategory.SOCIAL


def _window(hall, number):
    return Window.objects.get(hall=hall, number=number)


def test_numbers_per_category_and_lane(floor, clock):
    clock(TUESDAY, 9)
    jc = floor.halls["JC"]
    first = ticket_issue(hall=jc, category=C)
    second = ticket_issue(hall=jc, category=C)
    social = ticket_issue(hall=jc, category=S)
    assert (first.number, second.number, social.number) == ("C001", "C002", "D001")
    elderly = ticket_issue(hall=jc, category=C, id_number=make_id_number("441702", "19500101", "111"))
    assert elderly.number == "VC003" and elderly.lane == TicketLane.PRIORITY and elderly.priority_reason == "elderly"


def test_the_next_day_starts_again_at_one(floor, clock):
    clock(TUESDAY, 9)
    ticket_issue(hall=floor.halls["JC"], category=C)
    clock(WEDNESDAY, 9)
    assert ticket_issue(hall=floor.halls["JC"], category=C).number == "C001"


def test_one_waiting_ticket_per_person_per_category(floor, clock):
    clock(TUESDAY, 9)
    jc = floor.halls["JC"]
    ticket_issue(hall=jc, category=C, id_number=floor.citizen.id_number)
    with pytest.raises(ValidationError) as error:
        ticket_issue(hall=jc, category=C, id_number=floor.citizen.id_number)
    assert error.value.code == "duplicate"
    assert Ticket.objects.count() == 1
    assert ticket_issue(hall=jc, category=S, id_number=floor.citizen.id_number).number == "D001"
    # the database refuses it too
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.create(
            hall=jc,
            date=TUESDAY,
            category=C,
            sequence=99,
            number="C099",
            person=floor.citizen,
            issued_at=Ticket.objects.first().issued_at,
        )


@pytest.mark.parametrize(
    "category,hour,code",
    [
        ("nonsense", 9, "category"),
        (C, 12, "closed"),  # lunch break
        (C, 18, "booking_only"),  # evening: by appointment only
    ],
)
def test_bad_ticket_requests_change_nothing(floor, clock, category, hour, code):
    clock(TUESDAY, hour, 15)
    with pytest.raises(ValidationError) as error:
        ticket_issue(hall=floor.halls["JC"], category=category)
    assert error.value.code == code
    assert not Ticket.objects.exists()


def test_a_mistyped_id_number_is_refused(floor, clock):
    clock(TUESDAY, 9)
    with pytest.raises(ValidationError) as error:
        ticket_issue(hall=floor.halls["JC"], category=C, id_number="44170219500101111")
    assert "身份证号" in error.value.messages[0]
    assert not Ticket.objects.exists()


def test_a_category_the_hall_does_not_serve(floor, clock):
    clock(TUESDAY, 9)
    jc = floor.halls["JC"]
    OpeningHours.objects.filter(hall=jc, category=WindowCategory.INVESTMENT).delete()
    with pytest.raises(ValidationError) as error:
        ticket_issue(hall=jc, category=WindowCategory.INVESTMENT)
    assert "不设该类别" in error.value.messages[0]


def test_priority_by_staff_only(floor, clock):
    clock(TUESDAY, 9)
    jc = floor.halls["JC"]
    with pytest.raises(PermissionDenied):
        ticket_issue(hall=jc, category=C, priority_reason="pregnant")
    with pytest.raises(PermissionDenied):
        ticket_issue(hall=jc, category=C, priority_reason="pregnant", issued_by=floor.other_clerk)
    ticket = ticket_issue(hall=jc, category=C, priority_reason="pregnant", issued_by=floor.clerk)
    assert ticket.number == "VC001"


def _booking(floor, clock, at=dt.time(9, 0)):
    clock(TUESDAY, 10)
    return booking_create(
        citizen=floor.citizen,
        hall=floor.halls["JC"],
        category=C,
        day=WEDNESDAY,
        starts_at=at,
        item_id=ITEM_ID,
        item_name=ITEM_NAME,
    )


def test_booked_ticket_by_code(floor, clock):
    booking = _booking(floor, clock)
    jc = floor.halls["JC"]
    clock(WEDNESDAY, 7, 30)
    with pytest.raises(ValidationError) as error:
        ticket_issue_for_booking(hall=jc, code=booking.code)
    assert error.value.code == "early"
    clock(WEDNESDAY, 8, 50)
    with pytest.raises(ValidationError) as error:
        ticket_issue_for_booking(hall=floor.halls["YD"], code=booking.code)
    assert error.value.code == "unknown_code"
    with pytest.raises(ValidationError) as error:
        ticket_issue_for_booking(hall=jc, code="99999999")
    assert error.value.code == "unknown_code"
    assert not Ticket.objects.exists()
    ticket = ticket_issue_for_booking(hall=jc, code=f" {booking.code} ")
    assert ticket.number == "YC001" and ticket.person == floor.citizen and ticket.booking == booking
    booking.refresh_from_db()
    assert booking.state == BookingState.KEPT
    with pytest.raises(ValidationError) as error:
        ticket_issue_for_booking(hall=jc, code=booking.code)
    assert error.value.code == "kept"


def test_booked_ticket_other_day_and_late(floor, clock):
    booking = _booking(floor, clock)
    with pytest.raises(ValidationError) as error:
        ticket_issue_for_booking(hall=floor.halls["JC"], code=booking.code)
    assert error.value.code == "other_day"
    clock(WEDNESDAY, 9, 31)
    with pytest.raises(ValidationError) as error:
        ticket_issue_for_booking(hall=floor.halls["JC"], code=booking.code)
    assert error.value.code == "late"
    assert Booking.objects.get().state == BookingState.ACTIVE


def test_call_at_a_window_not_signed_in_is_refused(floor, clock):
    clock(TUESDAY, 9)
    jc = floor.halls["JC"]
    ticket_issue(hall=jc, category=C)
    with pytest.raises(ValidationError) as error:
        ticket_call_next(clerk=floor.clerk, window=_window(jc, 3))
    assert error.value.code == "not_signed_in"
    assert Ticket.objects.get().state == TicketState.WAITING
    with pytest.raises(PermissionDenied):
        window_sign_in(clerk=floor.other_clerk, window=_window(jc, 3))
    window_sign_in(clerk=floor.clerk, window=_window(jc, 3))
    with pytest.raises(ValidationError):
        window_sign_in(clerk=floor.result_clerk, window=_window(jc, 3))  # taken


def test_calling_order_priority_booked_then_in_order(floor, clock):
    booking = _booking(floor, clock)
    jc = floor.halls["JC"]
    clock(WEDNESDAY, 8, 40)
    walk_in = ticket_issue(hall=jc, category=C)
    booked = ticket_issue_for_booking(hall=jc, code=booking.code)  # slot starts 9:00
    walk_in_2 = ticket_issue(hall=jc, category=WindowCategory.CROSS_AREA)
    priority = ticket_issue(hall=jc, category=C, priority_reason="disabled", issued_by=floor.clerk)
    window = _window(jc, 3)  # commercial window, also calls cross-area tickets (demo seats)
    window_sign_in(clerk=floor.clerk, window=window)
    order = []
    for _ in range(4):
        ticket = ticket_call_next(clerk=floor.clerk, window=window)
        order.append(ticket.number)
        ticket_serve(clerk=floor.clerk, window=window, ticket=ticket)
        if ticket.pk == priority.pk:
            clock(WEDNESDAY, 9, 1)  # the booked slot has begun now
    assert order == [priority.number, booked.number, walk_in.number, walk_in_2.number]
    assert ticket_call_next(clerk=floor.clerk, window=window) is None


def test_before_its_slot_a_booked_ticket_waits_in_order(floor, clock):
    booking = _booking(floor, clock, at=dt.time(10, 0))
    jc = floor.halls["JC"]
    clock(WEDNESDAY, 9, 10)
    walk_in = ticket_issue(hall=jc, category=C)
    ticket_issue_for_booking(hall=jc, code=booking.code)
    window = _window(jc, 3)
    window_sign_in(clerk=floor.clerk, window=window)
    assert ticket_call_next(clerk=floor.clerk, window=window).pk == walk_in.pk


def test_recall_miss_serve_transfer(floor, clock):
    clock(TUESDAY, 9)
    jc = floor.halls["JC"]
    window = _window(jc, 3)
    window_sign_in(clerk=floor.clerk, window=window)
    first = ticket_issue(hall=jc, category=C, id_number=floor.citizen.id_number)
    second = ticket_issue(hall=jc, category=C)
    called = ticket_call_next(clerk=floor.clerk, window=window)
    assert called.pk == first.pk and called.state == TicketState.CALLED and called.window == window
    with pytest.raises(ValidationError) as error:
        ticket_call_next(clerk=floor.clerk, window=window)
    assert error.value.code == "busy"
    assert ticket_recall(clerk=floor.clerk, window=window, ticket=called).call_count == 2
    new = ticket_transfer(clerk=floor.clerk, window=window, ticket=called, category=S)
    called.refresh_from_db()
    assert called.state == TicketState.TRANSFERRED and new.state == TicketState.WAITING
    assert new.category == S and new.person == floor.citizen and new.transferred_from == called
    with pytest.raises(ValidationError):
        ticket_miss(clerk=floor.clerk, window=window, ticket=called)  # no longer at the window
    nxt = ticket_call_next(clerk=floor.clerk, window=window)
    assert nxt.pk == second.pk
    ticket_miss(clerk=floor.clerk, window=window, ticket=nxt)
    nxt.refresh_from_db()
    assert nxt.state == TicketState.MISSED
    social = _window(jc, 4)
    window_sign_in(clerk=floor.result_clerk, window=social)
    served = ticket_call_next(clerk=floor.result_clerk, window=social)
    assert served.pk == new.pk
    served = ticket_serve(clerk=floor.result_clerk, window=social, ticket=served)
    assert (
        served.state == TicketState.SERVED and served.service_seconds is not None and served.clerk == floor.result_clerk
    )
    with pytest.raises(ValidationError):
        ticket_transfer(clerk=floor.clerk, window=window, ticket=served, category=C)


def test_place_and_estimate(floor, clock):
    clock(TUESDAY, 9)
    jc = floor.halls["JC"]
    for _ in range(3):
        ticket_issue(hall=jc, category=C)
    last = ticket_issue(hall=jc, category=C)
    place = ticket_place(last)
    assert place.ahead == 3 and place.minutes == 18  # 3 × 6 default minutes, one window


def test_closing_time_misses_waiting_tickets_and_marks_no_shows(floor, clock):
    booking = _booking(floor, clock)
    jc = floor.halls["JC"]
    clock(TUESDAY, 10)
    waiting = ticket_issue(hall=jc, category=C)
    assert floor_close_due() == {"missed": 0, "no_shows": 0}  # open still
    clock(TUESDAY, 19, 31)
    assert floor_close_due()["missed"] >= 1
    waiting.refresh_from_db()
    assert waiting.state == TicketState.MISSED
    clock(WEDNESDAY, 20)
    assert floor_close_due()["no_shows"] == 1
    booking.refresh_from_db()
    assert booking.state == BookingState.NO_SHOW
    assert floor_close_due() == {"missed": 0, "no_shows": 0}


def test_each_category_closes_at_its_own_time(floor, clock):
    clock(TUESDAY, 16)
    jc = floor.halls["JC"]
    investment = ticket_issue(hall=jc, category=WindowCategory.INVESTMENT)
    commercial = ticket_issue(hall=jc, category=C)  # its windows stay open for evening bookings
    clock(TUESDAY, 17, 45)
    assert floor_close_due() == {"missed": 1, "no_shows": 0}
    investment.refresh_from_db()
    commercial.refresh_from_db()
    assert investment.state == TicketState.MISSED and commercial.state == TicketState.WAITING


def test_another_person_cannot_take_a_second_waiting_ticket_even_via_transfer(floor, clock):
    clock(TUESDAY, 9)
    jc = floor.halls["JC"]
    person = CitizenFactory()
    ticket_issue(hall=jc, category=S, id_number=person.id_number)
    ticket_issue(hall=jc, category=C, id_number=person.id_number)
    window = _window(jc, 3)
    window_sign_in(clerk=floor.clerk, window=window)
    called = ticket_call_next(clerk=floor.clerk, window=window)
    with pytest.raises(ValidationError):
        ticket_transfer(clerk=floor.clerk, window=window, ticket=called, category=S)
    called.refresh_from_db()
    assert called.state == TicketState.CALLED
