"""An identifier typed in another spelling (full-width digits, spaces, zero-width characters, lower-case x)
is the same identifier at every entry: the counter finds the registered account and checks the name
against it, the workbench search finds the case, the progress lookup finds it too; digits of other
scripts are refused with a message."""

import pytest
from django.urls import reverse

from cases.models import Case
from hall.models import User
from tests.cases.factories import CaseFactory
from tests.factories import CitizenFactory
from tests.items.factories import ItemVersionFactory

from .factories import pdf_upload, png_upload

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _counter(version, *, id_number, name, mobile="13712345678"):
    first, second = version.materials.order_by("order")
    return {
        "applicant-id_number": id_number,
        "applicant-real_name": name,
        "applicant-mobile": mobile,
        "applicant-identity_checked": "on",
        f"scan-material_{first.pk}": pdf_upload(),
        f"scan-material_{second.pk}": png_upload(),
    }


def test_a_full_width_copy_of_a_registered_id_number_is_checked_against_that_account(client, cast):
    version = ItemVersionFactory()
    owner = cast.citizen
    client.force_login(cast.clerk)
    disguised = owner.id_number.translate(FULL_WIDTH)
    response = client.post(
        reverse("cases:counter_apply", args=[version.item.pk]), _counter(version, id_number=disguised, name="冒名者")
    )
    assert response.status_code == 200
    assert "姓名与该身份证号已登记的账号不一致" in response.content.decode()
    assert not Case.objects.exists()
    users = User.objects.count()
    response = client.post(
        reverse("cases:counter_apply", args=[version.item.pk]),
        _counter(version, id_number=" ".join(disguised), name=owner.real_name, mobile=owner.mobile),
    )
    assert response.status_code == 302
    assert Case.objects.get().applicant == owner and User.objects.count() == users  # no second account


def test_arabic_indic_digits_are_refused_at_the_counter(client, cast):
    version = ItemVersionFactory()
    client.force_login(cast.clerk)
    data = _counter(version, id_number=cast.citizen.id_number.translate(ARABIC_INDIC), name="王小明")
    response = client.post(reverse("cases:counter_apply", args=[version.item.pk]), data)
    assert response.status_code == 200
    assert "身份证号应为18位" in " ".join(response.context["applicant_form"].errors["id_number"])


def test_the_workbench_search_finds_full_width_case_numbers_and_id_numbers(client, cast):
    applicant = CitizenFactory()
    case = CaseFactory(submitted=True, applicant=applicant)
    other = CaseFactory(submitted=True)
    client.force_login(cast.clerk)
    for typed in (case.number.translate(FULL_WIDTH), applicant.id_number.translate(FULL_WIDTH) + "\u200b"):
        lines = client.get(reverse("cases:clerk_workbench"), {"q": typed}).context["page"].object_list
        numbers = [line.number for line in lines]
        assert case.number in numbers and other.number not in numbers, typed
