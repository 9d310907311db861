"""The delivery choice at the counter and online, and certificates reused at application."""

import pytest
from django.urls import reverse

from cases import services
from cases.constants import DeliveryMethod, EventKind
from cases.models import Case
from tests.cases.factories import pdf_upload
from tests.items.factories import ItemVersionFactory, MaterialFactory

from .helpers import granted_case, produced

pytestmark = pytest.mark.django_db


def _licence_needed(result_name="许可证"):
    """An item whose second material is the certificate another item issues."""
    version = ItemVersionFactory(name="食品经营许可", result_name="食品经营许可证", materials=0)
    MaterialFactory(version=version, order=1, name="食品经营许可申请书")
    MaterialFactory(version=version, order=2, name=result_name)
    return version


def test_counter_records_the_delivery_choice(client, cast):
    version = ItemVersionFactory()
    client.force_login(cast.clerk)
    data = {
        "applicant-id_number": cast.citizen.id_number,
        "applicant-real_name": cast.citizen.real_name,
        "applicant-mobile": cast.citizen.mobile,
        "applicant-identity_checked": "on",
        "delivery_method": "post",
        "delivery_recipient": "张三",
        "delivery_mobile": "13900001111",
        "delivery_address": "阳江市江城区新江北路1号",
    }
    bad = client.post(reverse("cases:counter_apply", args=[version.item.pk]), {**data, "delivery_mobile": "12"})
    assert bad.status_code == 200 and not Case.objects.exists()
    response = client.post(reverse("cases:counter_apply", args=[version.item.pk]), data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.delivery_method == DeliveryMethod.POST and case.delivery_address == "阳江市江城区新江北路1号"
    assert case.events.filter(kind=EventKind.DELIVERY_CHOSEN, actor=cast.clerk).exists()


def test_online_application_without_an_answer_defaults_to_pickup_at_the_owning_hall(client, cast):
    version = ItemVersionFactory()
    client.force_login(cast.citizen)
    data = {"applicant_id_number": cast.citizen.id_number, "contact_mobile": cast.citizen.mobile,
            "description": "测试", "action": "save"}  # fmt: skip
    client.post(reverse("cases:apply", args=[version.item.pk]), data)
    case = Case.objects.get()
    assert case.delivery_method == DeliveryMethod.PICKUP and case.delivery_hall == case.receiving_hall


def test_held_certificate_is_attached_online_and_at_the_counter(client, cast):
    first = granted_case(cast)
    produced(cast, first)
    certificate = first.certificates.get()
    version = _licence_needed()
    online = services.case_create_draft(applicant=cast.citizen, item_version=version)
    held = online.materials.get(material__name="许可证")
    assert held.certificate_number == certificate.number and held.sha256 == certificate.document.sha256
    assert held.file.read().startswith(b"%PDF")
    check = services.completeness_check(online)
    assert [m.name for m in check.missing_mandatory] == ["食品经营许可申请书"]
    other = services.case_create_draft(applicant=cast.other_citizen, item_version=version)
    assert not other.materials.exists()  # another holder's certificate is not theirs
    counter = services.case_record_counter_application(
        clerk=cast.clerk, hall=cast.halls["JC"], item_version=version, applicant_id_number=cast.citizen.id_number,
        applicant_name=cast.citizen.real_name, applicant_mobile=cast.citizen.mobile, identity_checked=True,
        uploads={version.materials.get(order=1): pdf_upload()},
    )  # fmt: skip
    assert counter.materials.filter(certificate_number=certificate.number).count() == 1


def test_a_revoked_or_superseded_certificate_is_not_reused(cast):
    from delivery.constants import CertificateState

    first = granted_case(cast)
    produced(cast, first)
    first.certificates.update(state=CertificateState.REVOKED)
    case = services.case_create_draft(applicant=cast.citizen, item_version=_licence_needed())
    assert not case.materials.exists()


def test_apply_page_shows_the_held_certificate_instead_of_an_upload(client, cast):
    first = granted_case(cast)
    produced(cast, first)
    version = _licence_needed()
    client.force_login(cast.citizen)
    page = client.get(reverse("cases:apply", args=[version.item.pk])).content.decode()
    licence = version.materials.get(order=2)
    assert "data-held-certificates" in page and f'name="material_{licence.pk}"' not in page
