"""The hall floor's demo data (make demo: seed_floor) and the pages' fixed number of queries."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from hall.floor.tickets import ticket_issue
from hall.models import Booking, OpeningHours, WindowSeat
from tests.items.factories import ItemVersionFactory

from .floor_helpers import TUESDAY

pytestmark = pytest.mark.django_db


def test_seed_floor_is_idempotent(cast, clock):
    clock(TUESDAY, 10)
    ItemVersionFactory(materials=0)
    call_command("seed_floor")
    hours, bookings = OpeningHours.objects.count(), Booking.objects.count()
    assert {row.hall.code for row in OpeningHours.objects.select_related("hall")} == {"YJ", "JC", "YD", "YX", "YC"}
    assert bookings >= 1
    seat = WindowSeat.objects.get(window__hall__code="JC", window__number=3)
    assert seat.served_categories == ["commercial", "cross_area"]
    call_command("seed_floor")
    assert (OpeningHours.objects.count(), Booking.objects.count()) == (hours, bookings)


def test_pages_read_a_fixed_number_of_queries(client, floor, clock, django_assert_max_num_queries):
    clock(TUESDAY, 9)
    for _ in range(30):
        ticket_issue(hall=floor.halls["JC"], category="commercial")
    client.force_login(floor.clerk)
    client.get(reverse("floor:desk"))
    with django_assert_max_num_queries(20):
        page = client.get(reverse("floor:desk"))
    assert "窗口叫号" in page.content.decode()
    with django_assert_max_num_queries(12):
        client.get(reverse("floor:kiosk", args=["JC"]))
    client.force_login(floor.citizen)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("floor:bookings"))
    assert "我的预约" in page.content.decode()
