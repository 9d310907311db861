"""Every notice is a PDF with number, date, issuer, seal area and a QR code to the public verification
page; stored with its hash and never regenerated in place."""

import datetime
import hashlib
import shutil
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases import services
from cases.constants import DocumentKind, SpecialProcedureKind
from cases.documents import document_correct
from cases.models import Document, ImmutableError

from .helpers import accepted_case, submitted_case

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def in_days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def issue_every_kind(cast) -> dict:
    """One case per path, so that each of the eight notices is issued once."""
    accepted = accepted_case(cast)
    services.case_suspend(
        case=accepted,
        actor=cast.approver,
        kind=SpecialProcedureKind.EXPERT_REVIEW,
        reason="需专家评审",
        expected_days=5,
    )
    services.case_resume(case=accepted, actor=cast.approver)
    extension = services.case_request_extension(case=accepted, actor=cast.approver, days=10, reason="案情复杂")
    services.case_approve_extension(extension=extension, actor=cast.agency_head)
    services.case_grant(case=accepted, actor=cast.approver, opinion="符合法定条件")

    denied = accepted_case(cast)
    services.case_deny(case=denied, actor=cast.approver, reasons="经营场所不符合安全要求")

    supplement = submitted_case(cast)
    material = supplement.item_version.materials.get(name="申请人身份证明")
    services.case_request_supplement(
        case=supplement,
        actor=cast.clerk,
        items=[{"material": material, "name": material.name, "reason": "身份证已过期"}],
        due=in_days(7),
    )
    services.case_refuse(case=supplement, actor=cast.clerk, reasons="逾期未补正", competent_authority="")

    deferred = submitted_case(cast, complete=False)
    services.case_accept_with_deferral(
        case=deferred,
        actor=cast.clerk,
        deferred_materials=[material_of(deferred)],
        due=in_days(2),
        undertaking="按期补交",
    )
    return {d.kind: d for d in Document.objects.select_related("case")}


def material_of(case):
    return case.item_version.materials.get(name="申请人身份证明")


def test_each_kind_issued_with_number_hash_and_file(cast):
    documents = issue_every_kind(cast)
    # Issued elsewhere: the revocation after a false commitment (tests/cases/test_law_commitment.py),
    # the result and the proof of delivery (delivery/).
    assert set(documents) == set(DocumentKind.values) - {"revocation", "result", "delivery_proof"}
    for document in documents.values():
        content = document.file.read()
        assert content.startswith(b"%PDF")
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert "〔" in document.number and document.number.endswith("号")
        assert document.issuer_name == "江城区市场监督管理局"
        assert document.issued_on == timezone.localdate()
        assert len(PdfReader(ContentFile(content)).pages) == 1, document.kind  # notices stay lean: one page


@needs_poppler
def test_pdf_text_holds_case_number_title_and_verification(cast, tmp_path):
    documents = issue_every_kind(cast)
    for kind, document in documents.items():
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(document.file.read())
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        flat = "".join(text.split())
        assert document.case.number in flat, kind
        assert "".join(document.title.split()) in flat, kind
        assert document.number in flat, kind
        # Signed by the department's SM2 key: the seal image instead of the "（印章）" placeholder.
        assert document.signature and "（印章）" not in flat, kind
        assert "核验" in flat, kind
    refusal = "".join(
        subprocess.run(
            ["pdftotext", str(tmp_path / "refusal.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "60日内" in refusal and "6个月内" in refusal
    supplement = "".join(
        subprocess.run(
            ["pdftotext", str(tmp_path / "supplement.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "申请人身份证明" in supplement and "不符合要求" in supplement and "身份证已过期" in supplement


def test_numbers_are_sequential_per_issuer_kind_and_year(cast):
    first = accepted_case(cast).documents.exclude(kind="receipt").get()
    second = accepted_case(cast).documents.exclude(kind="receipt").get()
    assert first.number.endswith("第00001号") and second.number.endswith("第00002号")


def test_verification_page_confirms_without_personal_data(cast, client):
    case = accepted_case(cast)
    document = case.documents.exclude(kind="receipt").get()
    response = client.get(reverse("cases:verify", args=[document.token]))
    assert response.status_code == 200
    page = response.content.decode()
    for shown in (document.number, case.number, case.title, document.sha256, "受理通知书"):
        assert shown in page
    for private in (cast.citizen.real_name, cast.citizen.id_number, cast.citizen.mobile):
        assert private not in page


def test_unknown_token_is_404(client, db):
    assert client.get(reverse("cases:verify", args=["nope"])).status_code == 404


def test_document_never_changes_and_correction_supersedes(cast, client):
    case = accepted_case(cast)
    original = case.documents.exclude(kind="receipt").get()
    original_bytes = original.file.read()
    original.title = "改过的"
    with pytest.raises(ImmutableError):
        original.save()
    correction = document_correct(
        document=Document.objects.get(pk=original.pk), actor=cast.clerk, context={"promised_on": in_days(5)}
    )
    original.refresh_from_db()
    assert correction.supersedes == original and original.superseded_by == correction
    assert original.file.read() == original_bytes  # the old file is untouched
    assert correction.number != original.number
    assert case.events.filter(kind="document_issued", document=correction).exists()
    page = client.get(reverse("cases:verify", args=[original.token])).content.decode()
    assert "已被更正" in page and correction.number in page
    with pytest.raises(ValueError):
        document_correct(document=original, actor=cast.clerk)
