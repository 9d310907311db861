"""One normalisation of every typed identifier (ID number, credit code, mobile), ASCII-only checks after
it, and the two lookups every entry point goes through."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hall.demo import DEMO_PASSWORD, make_credit_code, make_id_number
from hall.models import User
from hall.models.organisation import citizen_username
from hall.selectors import user_by_id_number, user_by_mobile
from hall.validators import normalise_identifier, validate_credit_code, validate_id_number, validate_mobile
from tests.factories import CitizenFactory

GOOD_ID = make_id_number("441702", "19910203", "135")
FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def full_width(value: str) -> str:
    return value.translate(FULL_WIDTH)


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("１３９１２３４５６７８", "13912345678"),
        (" 139 1234 5678 ", "13912345678"),
        ("139\u200b1234\u200d5678\ufeff", "13912345678"),
        ("139\u30001234\u00a05678", "13912345678"),  # full-width (ideographic) and no-break spaces
        ("11010519491231002x", "11010519491231002X"),
        ("11010519491231002ｘ", "11010519491231002X"),
        ("139\x0012345678", "13912345678"),
        (None, ""),
    ],
)
def test_normalise_identifier(typed, normalised):
    assert normalise_identifier(typed) == normalised


def test_full_width_id_number_is_the_same_number():
    validate_id_number(full_width(GOOD_ID))
    assert normalise_identifier(full_width(GOOD_ID)) == GOOD_ID


@pytest.mark.parametrize(
    "validator,value",
    [
        (validate_id_number, GOOD_ID.translate(ARABIC_INDIC)),
        (validate_mobile, "13912345678".translate(ARABIC_INDIC)),
        (validate_mobile, "1391234567８9"),  # 12 digits once normalised
        (validate_credit_code, make_credit_code("91", "441702", "MA5000001").translate(ARABIC_INDIC)),
    ],
)
def test_digits_of_other_scripts_are_refused(validator, value):
    with pytest.raises(ValidationError):
        validator(value)


def test_birth_date_has_no_lower_bound_but_must_exist_and_not_be_future():
    validate_id_number(make_id_number("441702", "18990101", "001"))  # a centenarian's number is valid
    with pytest.raises(ValidationError) as error:
        validate_id_number(make_id_number("441702", "19990229", "001"))  # no 29 Feb in 1999
    assert error.value.code == "id_birth"
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).strftime("%Y%m%d")
    with pytest.raises(ValidationError) as error:
        validate_id_number(make_id_number("441702", tomorrow, "001"))
    assert error.value.code == "id_birth"
    with pytest.raises(ValidationError) as error:
        validate_id_number(make_id_number("441702", "00000101", "001"))  # year 0 does not exist
    assert error.value.code == "id_birth"


@pytest.mark.django_db
def test_lookups_find_the_account_whatever_the_spelling():
    citizen = CitizenFactory(mobile="13912345678", username="13912345678", id_number="11010519491231002X")
    assert user_by_id_number("11010519491231002x") == citizen
    assert user_by_id_number(full_width("11010519491231002X")) == citizen
    assert user_by_id_number(" 110105 19491231 002X ") == citizen
    assert user_by_mobile(full_width("13912345678")) == citizen
    assert user_by_mobile("139\u200b12345678") == citizen
    assert user_by_id_number("not a number") is None and user_by_mobile("") is None


@pytest.mark.django_db
def test_registration_with_a_full_width_copy_of_a_taken_id_number_is_refused(client):
    CitizenFactory(mobile="13900000001", username="13900000001", id_number=GOOD_ID)
    data = {
        "real_name": "冒名",
        "id_number": full_width(GOOD_ID),
        "mobile": full_width("13912345678"),
        "password1": "Yangjiang#88",
        "password2": "Yangjiang#88",
    }
    response = client.post(reverse("register"), data)
    assert response.status_code == 200
    assert "该身份证号已注册" in response.context["form"].errors["id_number"][0]
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_registration_stores_the_normalised_ascii_value(client):
    data = {
        "real_name": "赵敏",
        "id_number": full_width(GOOD_ID) + "\u200b",
        "mobile": "１３９ １２３４ ５６７８",
        "password1": "Yangjiang#88",
        "password2": "Yangjiang#88",
    }
    response = client.post(reverse("register"), data)
    assert response.status_code == 302
    user = User.objects.get()
    # The login name is a pseudonym of the mobile (stored encrypted), never the mobile in clear.
    assert (user.id_number, user.mobile, user.username) == (GOOD_ID, "13912345678", citizen_username("13912345678"))


@pytest.mark.django_db
def test_a_race_past_the_form_check_gets_a_message_not_a_500(client, monkeypatch):
    CitizenFactory(mobile="13900000001", username="13900000001", id_number=GOOD_ID)
    monkeypatch.setattr("hall.forms.user_by_id_number", lambda value: None)  # the other request won the race
    data = {
        "real_name": "赵敏",
        "id_number": GOOD_ID,
        "mobile": "13912345678",
        "password1": "Yangjiang#88",
        "password2": "Yangjiang#88",
    }
    response = client.post(reverse("register"), data)
    assert response.status_code == 200
    assert "刚刚已被注册" in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_login_with_full_width_or_lower_case_x(client):
    CitizenFactory(mobile="13912345678", username="13912345678", id_number="11010519491231002X")
    for typed in (full_width("13912345678"), "11010519491231002x", full_width("11010519491231002X")):
        response = client.post(reverse("login"), {"username": typed, "password": DEMO_PASSWORD})
        assert response.status_code == 302, typed
        client.logout()
