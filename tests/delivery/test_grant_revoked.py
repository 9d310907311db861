"""A grant revoked after a false commitment (告知承诺, 行政许可法 Art. 69 ¶2): its certificate reads 吊销 at
once in 我的证照, on the public certificate check and for certificate reuse, without waiting for the
periodic refresh; a grant revoked before production issues no certificate."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from cases.registry import certificate_lookup
from cases.services.commitment import commitment_check_record, commitment_sign
from delivery import services as delivery
from delivery.constants import CertificateState
from delivery.models import Certificate
from delivery.selectors import to_produce
from tests.cases.factories import pdf_upload
from tests.cases.helpers import draft_case
from tests.items.factories import ItemVersionFactory

pytestmark = pytest.mark.django_db


def _granted_by_commitment(cast):
    version = ItemVersionFactory(
        commitment_allowed=True,
        commitment_text="本事项实行告知承诺制。",
        commitment_check_days=20,
        commitment_basis="《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》",
    )
    version.materials.filter(name="申请人身份证明").update(commitment_replaceable=True)
    case = draft_case(cast, version)
    form, proof = version.materials.order_by("order")[:2]
    services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload(), material=form)
    commitment_sign(case=case, actor=cast.citizen, materials=[proof])
    services.case_submit(case=case, actor=cast.citizen)
    case.refresh_from_db()
    return case


def _found_false(cast, case):
    commitment_check_record(
        commitment=case.commitment, actor=cast.approver, confirmed=False, finding="申请人身份证明与公安数据不符"
    )


def test_revoked_grant_revokes_its_certificate_at_once(client, cast):
    case = _granted_by_commitment(cast)
    delivery.result_produce(case=case, actor=cast.approver)
    certificate = Certificate.objects.get(case=case)
    assert certificate.state == CertificateState.VALID
    material = SimpleNamespace(name=certificate.type_name)
    assert certificate_lookup(cast.citizen.id_number, material).number == certificate.number

    _found_false(cast, case)  # no periodic refresh runs here
    certificate.refresh_from_db()
    assert certificate.state == CertificateState.REVOKED and certificate.state_changed_at
    assert certificate_lookup(cast.citizen.id_number, material) is None  # not reused at application
    public = client.get(reverse("delivery:certificate_verify"), {"number": certificate.number}).content.decode()
    assert 'data-certificate-state="revoked"' in public and "吊销" in public
    by_qr = client.get(reverse("cases:verify", args=[certificate.document.token])).content.decode()
    assert 'data-certificate-state="revoked"' in by_qr
    client.force_login(cast.citizen)
    mine = client.get(reverse("delivery:my_certificates")).content.decode()
    assert certificate.number in mine and "吊销" in mine
    assert delivery.certificates_refresh()["revoked"] == 0  # the beat finds nothing left to do


def test_grant_revoked_before_production_issues_no_certificate(cast):
    case = _granted_by_commitment(cast)
    assert case in to_produce(cast.approver)
    _found_false(cast, case)
    assert case not in to_produce(cast.approver)
    with pytest.raises(ValidationError, match="已被撤销"):
        delivery.result_produce(case=case, actor=cast.approver)
    assert not Certificate.objects.filter(case=case).exists()


def test_confirmed_commitment_leaves_the_certificate_valid(cast):
    case = _granted_by_commitment(cast)
    delivery.result_produce(case=case, actor=cast.approver)
    commitment_check_record(commitment=case.commitment, actor=cast.approver, confirmed=True, finding="经核查属实")
    assert Certificate.objects.get(case=case).state == CertificateState.VALID
