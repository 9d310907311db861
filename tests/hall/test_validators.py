import pytest
from django.core.exceptions import ValidationError

from hall.demo import make_credit_code, make_id_number
from hall.validators import (
    mask_id_number,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
    validate_region_code,
)


@pytest.mark.parametrize(
    "value", ["11010519491231002X", "11010519491231002x", make_id_number("440524", "19800101", "001")]
)
def test_valid_id_numbers(value):
    validate_id_number(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "id_check"),  # wrong check digit
        ("11010519491331002X", "id_birth"),  # month 13
        ("1101051949123100", "id_format"),  # too short
        ("11010519491231002Y", "id_format"),
        ("", "id_format"),
    ],
)
def test_invalid_id_numbers(value, code):
    with pytest.raises(ValidationError) as error:
        validate_id_number(value)
    assert error.value.code == code


@pytest.mark.parametrize("value", ["91350100M000100Y43", make_credit_code("11", "441702", "000000001")])
def test_valid_credit_codes(value):
    validate_credit_code(value)


@pytest.mark.parametrize("value", ["91350100M000100Y44", "91350100M000100I43", "9135010", "91350100M000100Y4O"])
def test_invalid_credit_codes(value):
    with pytest.raises(ValidationError):
        validate_credit_code(value)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("13800000001", True),
        ("19912345678", True),
        ("12800000001", False),
        ("1380000000", False),
        ("138000000012", False),
        ("abc", False),
    ],
)
def test_mobile(value, ok):
    if ok:
        validate_mobile(value)
    else:
        with pytest.raises(ValidationError):
            validate_mobile(value)


def test_region_code():
    validate_region_code("441702")
    with pytest.raises(ValidationError):
        validate_region_code("44170")


def test_mask_id_number_keeps_area_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"
