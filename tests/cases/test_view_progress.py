"""Public progress lookup: number + the applicant's mobile, no login, nothing personal, rate-limited,
one answer for every miss."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from cases.views.progress import LOOKUP_LIMIT, NOT_FOUND, TOO_MANY

from .helpers import submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_found_shows_state_and_steps_only(client, cast):
    case = submitted_case(cast)
    response = client.post(reverse("cases:progress"), {"number": case.number.lower(), "mobile": cast.citizen.mobile})
    html = response.content.decode()
    assert response.status_code == 200
    assert case.number in html and "待受理" in html and "提交申请" in html
    for personal in (
        cast.citizen.real_name,
        cast.citizen.id_number,
        cast.citizen.masked_id_number,
        cast.citizen.mobile,
    ):
        assert personal not in html.replace(f'value="{cast.citizen.mobile}"', "")
    assert "上传材料" not in html  # material events are not steps


def test_wrong_number_and_wrong_mobile_get_the_same_message(client, cast):
    case = submitted_case(cast)
    wrong_number = client.post(reverse("cases:progress"), {"number": "JC99999999999", "mobile": cast.citizen.mobile})
    wrong_mobile = client.post(reverse("cases:progress"), {"number": case.number, "mobile": "13912345678"})
    assert NOT_FOUND in wrong_number.content.decode()
    assert NOT_FOUND in wrong_mobile.content.decode()
    assert wrong_number.status_code == wrong_mobile.status_code == 200
    assert "found" not in wrong_number.context and "found" not in wrong_mobile.context


def test_drafts_have_no_number_and_cannot_be_found(client, cast):
    response = client.post(reverse("cases:progress"), {"number": "", "mobile": cast.citizen.mobile})
    assert response.context["form"].errors["number"]


def test_rate_limited_per_address(client, cast):
    case = submitted_case(cast)
    for _ in range(LOOKUP_LIMIT):
        response = client.post(reverse("cases:progress"), {"number": "X", "mobile": "13900000000"})
        assert response.status_code == 200
    response = client.post(reverse("cases:progress"), {"number": case.number, "mobile": cast.citizen.mobile})
    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()
    assert "found" not in response.context
    other = client.post(
        reverse("cases:progress"),
        {"number": case.number, "mobile": cast.citizen.mobile},
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 200 and other.context["found"] == case


def test_get_shows_the_form_without_login(client):
    response = client.get(reverse("cases:progress"))
    assert response.status_code == 200 and "办件编号" in response.content.decode()
