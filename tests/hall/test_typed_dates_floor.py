"""Typed dates on the hall floor are bounded too: a closing day within a year from today, a booking day
far away shows tomorrow's slots instead of failing."""

import pytest
from django.urls import reverse

from hall.constants import StaffRole
from hall.demo import staff_username
from hall.models import ClosedDay, User

from .floor_helpers import TUESDAY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2020-01-01"])
def test_a_closing_day_outside_the_coming_year_is_refused(client, floor, clock, day):
    clock(TUESDAY, 10)
    client.force_login(User.objects.get(username=staff_username("JC", StaffRole.SYSTEM_ADMIN)))
    response = client.post(
        reverse("floor:day_close", args=["JC"]), {"close-date": day, "close-reason": "停电"}, follow=True
    )
    assert response.status_code in (200, 400)
    assert "闭厅日期不能" in response.content.decode()
    assert not ClosedDay.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_far_booking_day_does_not_fail(client, floor, clock, day):
    from tests.items.factories import ItemVersionFactory

    clock(TUESDAY, 10)
    version = ItemVersionFactory()
    client.force_login(floor.citizen)
    response = client.get(reverse("items:book", args=[version.item.pk]), {"day": day})
    assert response.status_code in (200, 404)
