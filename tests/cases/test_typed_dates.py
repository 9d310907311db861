"""Every typed date is bounded to its field with a message naming it; nothing unbounded reaches the
working-day arithmetic (which refuses far years itself)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.constants import CaseState
from hall import workdays

from .helpers import submitted_case

pytestmark = pytest.mark.django_db


def _in(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _supplement(client, case, deadline: str):
    material = case.item_version.materials.order_by("order").first()
    data = {
        f"supplement-pick_{material.pk}": "on",
        f"supplement-reason_{material.pk}": "复印件不清晰",
        "supplement-deadline": deadline,
    }
    return client.post(reverse("cases:request_supplement", args=[case.pk]), data)


@pytest.mark.parametrize("deadline", ["9999-12-31", "9000-01-01", "0001-01-01", _in(61), _in(0)])
def test_a_supplement_deadline_outside_the_halls_limit_is_refused_next_to_the_field(client, cast, deadline):
    case = submitted_case(cast)
    client.force_login(cast.clerk)
    response = _supplement(client, case, deadline)
    assert response.status_code == 200
    errors = " ".join(response.context["supplement_form"].errors["deadline"])
    assert "补正期限" in errors
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_the_limit_is_a_setting(client, cast, settings):
    settings.TONGBAN_SUPPLEMENT_MAX_DAYS = 90
    case = submitted_case(cast)
    client.force_login(cast.clerk)
    response = _supplement(client, case, _in(80))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SUPPLEMENT_REQUESTED


def test_a_deadline_within_the_limit_is_taken(client, cast):
    case = submitted_case(cast)
    client.force_login(cast.clerk)
    assert _supplement(client, case, _in(60)).status_code == 302


@pytest.mark.parametrize("deadline", ["9999-12-31", "0001-01-01"])
def test_a_far_deferral_deadline_is_refused(client, cast, deadline):
    case = submitted_case(cast)
    deferrable = case.item_version.materials.filter(deferrable=True).first()
    client.force_login(cast.clerk)
    data = {"deferral-deferred": [str(deferrable.pk)], "deferral-deadline": deadline, "deferral-undertaking": "on"}
    response = client.post(reverse("cases:accept_with_deferral", args=[case.pk]), data)
    assert response.status_code == 200
    assert "补齐期限" in " ".join(response.context["deferral_form"].errors["deadline"])


@pytest.mark.parametrize(
    "call",
    [
        lambda: workdays.add_working_days(datetime.date(9999, 12, 30), 5),
        lambda: workdays.add_working_days(datetime.date(2026, 1, 5), 10_000_000),
        lambda: workdays.working_days_between(datetime.date(1, 1, 1), datetime.date(2026, 1, 1)),
        lambda: workdays.any_provisional(datetime.date(2026, 1, 1), datetime.date(9999, 12, 31)),
        lambda: workdays.is_working_day(datetime.date(9000, 1, 3)),
        lambda: workdays.next_working_day(datetime.date(1, 1, 1)),
    ],
)
def test_the_working_day_arithmetic_refuses_far_years_at_once(call):
    with pytest.raises(workdays.OutsideCalendar):
        call()


def test_the_working_day_arithmetic_still_answers_inside_its_range():
    assert workdays.add_working_days(datetime.date(2026, 1, 5), 5) == datetime.date(2026, 1, 12)
