"""补正 and the deferred (容缺) materials keep what passed: a file that passes while another is refused is
received for this request (shown as received, its input no longer required, replaceable), the page says
which files were kept and which must be chosen again, nothing else changes; the supplement is handed in
once every listed material is there."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.constants import CaseState, EventKind
from cases.models import CaseEvent, Document, SubmittedMaterial
from hall.models import Notice
from tests import samples

from .factories import pdf_upload, png_upload
from .helpers import draft_case, submitted_case

pytestmark = pytest.mark.django_db

POLYGLOT = samples.PNG + samples.zip_bytes()


def _listed_both(cast):
    """A submitted case asked (one notice) to supplement both of its guide materials."""
    case = submitted_case(cast)
    first, second = case.item_version.materials.order_by("order")
    services.case_request_supplement(
        case=case,
        actor=cast.clerk,
        items=[
            {"material": first, "name": first.name, "reason": "未签名"},
            {"material": second, "name": second.name, "reason": "复印件不清晰"},
        ],
        due=timezone.localdate() + datetime.timedelta(days=5),
    )
    case.refresh_from_db()
    return case, first, second


def _trail(case) -> dict:
    return {
        "events": list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)),
        "notices": Notice.objects.count(),
        "documents": Document.objects.filter(case=case).count(),
    }


def test_a_refused_file_keeps_the_one_that_passed_and_changes_nothing_else(client, cast):
    case, first, second = _listed_both(cast)
    before = _trail(case)
    client.force_login(cast.citizen)
    url = reverse("cases:supplement", args=[case.pk])
    files = {
        f"material_{first.pk}": pdf_upload("签名版.pdf"),
        f"material_{second.pk}": SimpleUploadedFile("身份证.png", POLYGLOT),
    }
    response = client.post(url, files)
    assert response.status_code == 200
    html = response.content.decode()
    assert "已收到" in html and "签名版.pdf" in html  # the kept file, named
    assert "请重新选择" in html and second.name in html  # the refused one, named
    assert "附带了其他数据" in " ".join(response.context["form"].errors[f"material_{second.pk}"])
    case.refresh_from_db()
    request = case.supplement_requests.get()
    assert case.state == CaseState.SUPPLEMENT_REQUESTED and request.fulfilled_at is None
    kept = case.materials.get(material=first, superseded=False)
    assert kept.original_name == "签名版.pdf" and kept.uploaded_at >= request.requested_at
    assert case.materials.get(material=second, superseded=False).uploaded_at < request.requested_at
    after = _trail(case)
    assert after["events"] == before["events"] + [EventKind.MATERIAL_REPLACED]  # what the kept file implies
    assert after["notices"] == before["notices"] and after["documents"] == before["documents"]


def test_the_page_shows_the_kept_file_as_received_and_no_longer_required(client, cast):
    case, first, second = _listed_both(cast)
    client.force_login(cast.citizen)
    url = reverse("cases:supplement", args=[case.pk])
    client.post(url, {f"material_{first.pk}": pdf_upload("签名版.pdf"), f"material_{second.pk}": b""})
    response = client.get(url)
    form = response.context["form"]
    assert not form.fields[f"material_{first.pk}"].required and form.fields[f"material_{second.pk}"].required
    assert "签名版.pdf" in form.fields[f"material_{first.pk}"].help_text
    assert "再次选择文件将替换" in form.fields[f"material_{first.pk}"].help_text
    html = response.content.decode()
    assert 'id="supplement-received"' in html and "签名版.pdf" in html
    kept = case.materials.get(material=first, superseded=False)
    assert reverse("cases:material_file", args=[case.pk, kept.pk]) in html


def test_the_second_post_with_only_the_missing_file_hands_the_supplement_in(client, cast):
    case, first, second = _listed_both(cast)
    client.force_login(cast.citizen)
    url = reverse("cases:supplement", args=[case.pk])
    bad = SimpleUploadedFile("身份证.png", POLYGLOT)
    client.post(url, {f"material_{first.pk}": pdf_upload("签名版.pdf"), f"material_{second.pk}": bad})
    response = client.post(url, {f"material_{second.pk}": png_upload("清晰版.png")})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert case.supplement_requests.get().fulfilled_at is not None
    current = dict(case.materials.filter(superseded=False).values_list("material_id", "original_name"))
    assert current == {first.pk: "签名版.pdf", second.pk: "清晰版.png"}
    assert Notice.objects.filter(kind="case_supplemented", recipient=cast.citizen).count() == 1


def test_a_kept_file_can_be_replaced_before_the_supplement_is_handed_in(client, cast):
    case, first, second = _listed_both(cast)
    client.force_login(cast.citizen)
    url = reverse("cases:supplement", args=[case.pk])
    client.post(url, {f"material_{first.pk}": pdf_upload("签名版.pdf")})
    client.post(url, {f"material_{first.pk}": pdf_upload("重签版.pdf")})
    case.refresh_from_db()
    assert case.state == CaseState.SUPPLEMENT_REQUESTED
    assert case.materials.get(material=first, superseded=False).original_name == "重签版.pdf"
    help_text = client.get(url).context["form"].fields[f"material_{first.pk}"].help_text
    assert "重签版.pdf" in help_text and "签名版.pdf" not in help_text


def test_kept_files_count_as_handed_in_with_this_supplement(client, cast):
    """The one-time-notice rule: a second request may name a file handed in with the supplement."""
    case, first, second = _listed_both(cast)
    client.force_login(cast.citizen)
    url = reverse("cases:supplement", args=[case.pk])
    client.post(url, {f"material_{first.pk}": pdf_upload("签名版.pdf"), f"material_{second.pk}": b""})
    client.post(url, {f"material_{second.pk}": png_upload("清晰版.png")})
    case.refresh_from_db()
    services.case_request_supplement(
        case=case,
        actor=cast.clerk,
        items=[{"material": first, "name": first.name, "reason": "新签名与身份证不符"}],
        due=timezone.localdate() + datetime.timedelta(days=5),
    )
    case.refresh_from_db()
    assert case.state == CaseState.SUPPLEMENT_REQUESTED


def test_nothing_changes_when_nothing_passed(client, cast):
    case, first, second = _listed_both(cast)
    before = _trail(case)
    count = SubmittedMaterial.objects.count()
    client.force_login(cast.citizen)
    bad = SimpleUploadedFile("申请书.pdf", b"%PDF-1.4 not really")
    response = client.post(reverse("cases:supplement", args=[case.pk]), {f"material_{first.pk}": bad})
    assert response.status_code == 200 and response.context["form"].errors
    assert SubmittedMaterial.objects.count() == count and _trail(case) == before


def _deferred_both(cast):
    """Accepted with both guide materials deferred (容缺), neither handed in yet."""
    case = draft_case(cast)
    first, second = case.item_version.materials.order_by("order")
    first.deferrable = True
    first.save(update_fields=["deferrable"])
    services.case_submit(case=case, actor=cast.citizen)
    services.case_accept_with_deferral(
        case=case,
        actor=cast.clerk,
        deferred_materials=[first, second],
        due=timezone.localdate() + datetime.timedelta(days=2),
        undertaking="承诺两日内补交",
    )
    case.refresh_from_db()
    return case, first, second


def test_deferred_materials_keep_the_one_that_passed(client, cast):
    case, first, second = _deferred_both(cast)
    before = _trail(case)
    client.force_login(cast.citizen)
    url = reverse("cases:supplement", args=[case.pk])
    files = {
        f"material_{first.pk}": pdf_upload("申请书.pdf"),
        f"material_{second.pk}": SimpleUploadedFile("身份证.png", POLYGLOT),
    }
    response = client.post(url, files)
    assert response.status_code == 200
    html = response.content.decode()
    assert "已收到" in html and "申请书.pdf" in html and "请重新选择" in html and second.name in html
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and case.deferred_due is not None
    assert case.deferred_materials.get(material=first).received_at is not None
    assert case.deferred_materials.get(material=second).received_at is None
    after = _trail(case)
    assert after["events"] == before["events"] + [EventKind.MATERIAL_ADDED, EventKind.DEFERRED_RECEIVED]
    assert after["notices"] == before["notices"] and after["documents"] == before["documents"]
    form = client.get(url).context["form"]
    assert not form.fields[f"material_{first.pk}"].required and form.fields[f"material_{second.pk}"].required
    # The second post with only the missing file completes the deferred materials.
    response = client.post(url, {f"material_{second.pk}": png_upload("身份证.png")})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.deferred_due is None
    assert Notice.objects.filter(kind="case_deferred_complete", recipient=cast.citizen).count() == 1


def test_a_received_deferred_material_is_replaced_until_all_are_in(client, cast):
    case, first, second = _deferred_both(cast)
    client.force_login(cast.citizen)
    url = reverse("cases:supplement", args=[case.pk])
    client.post(url, {f"material_{first.pk}": pdf_upload("申请书.pdf")})
    client.post(url, {f"material_{first.pk}": pdf_upload("申请书-更正.pdf")})
    case.refresh_from_db()
    assert case.materials.get(material=first, superseded=False).original_name == "申请书-更正.pdf"
    assert case.deferred_due is not None
    assert CaseEvent.objects.filter(case=case, kind=EventKind.DEFERRED_RECEIVED).count() == 1
    client.post(url, {f"material_{second.pk}": png_upload()})
    case.refresh_from_db()
    assert case.deferred_due is None
    assert client.get(url).status_code == 302  # all in: nothing left to hand in or replace
