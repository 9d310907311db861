"""Intake review page: materials beside the guide, and the four outcomes as forms."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.constants import CaseState, DocumentKind
from cases.models import Document

from .factories import pdf_upload
from .helpers import attach_all, draft_case, submitted_case

pytestmark = pytest.mark.django_db


def _due(days: int = 10) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _only_first_material_case(cast):
    """Submitted with the application form only: the deferrable ID proof is missing."""
    case = draft_case(cast)
    first = case.item_version.materials.order_by("order").first()
    services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload(), material=first)
    return services.case_submit(case=case, actor=cast.citizen)


def test_review_page_shows_guide_materials_beside_submitted_files(client, cast):
    case = submitted_case(cast)
    client.force_login(cast.clerk)
    response = client.get(reverse("cases:review", args=[case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for material in case.item_version.materials.all():
        assert material.name in html
    for submitted in case.materials.all():
        assert submitted.original_name in html
    assert "受理并出具受理通知书" in html and "一次性告知" in html and "不予受理" in html and "容缺受理" in html
    assert cast.citizen.masked_id_number in html and cast.citizen.id_number not in html


def test_accept_issues_the_acceptance_notice_with_a_print_link(client, cast):
    case = submitted_case(cast)
    client.force_login(cast.clerk)
    response = client.post(reverse("cases:accept", args=[case.pk]), {"accept-note": "材料齐全"}, follow=True)
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    document = Document.objects.get(case=case, kind=DocumentKind.ACCEPTANCE)
    html = response.content.decode()
    assert reverse("cases:document", args=[case.pk, document.pk]) in html
    pdf = client.get(reverse("cases:document", args=[case.pk, document.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_accept_an_incomplete_case_says_why_and_changes_nothing(client, cast):
    case = _only_first_material_case(cast)
    client.force_login(cast.clerk)
    response = client.post(reverse("cases:accept", args=[case.pk]), {"accept-note": ""})
    assert response.status_code == 200
    assert "材料不齐全" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED and not case.documents.exclude(kind="receipt").exists()


def test_request_supplement_lists_each_material_with_its_reason(client, cast):
    case = submitted_case(cast)
    material = case.item_version.materials.order_by("order").first()
    client.force_login(cast.clerk)
    data = {
        f"supplement-pick_{material.pk}": "on",
        f"supplement-reason_{material.pk}": "未签名",
        "supplement-extra_items": "营业场所证明：租赁合同已过期",
        "supplement-deadline": _due(),
    }
    response = client.post(reverse("cases:request_supplement", args=[case.pk]), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SUPPLEMENT_REQUESTED
    request = case.supplement_requests.get()
    assert [(i.name, i.reason) for i in request.items.order_by("pk")] == [
        (material.name, "未签名"),
        ("营业场所证明", "租赁合同已过期"),
    ]
    assert case.documents.filter(kind=DocumentKind.SUPPLEMENT).exists()


def test_supplement_ticked_without_reason_is_refused_next_to_the_row(client, cast):
    case = submitted_case(cast)
    material = case.item_version.materials.order_by("order").first()
    client.force_login(cast.clerk)
    data = {f"supplement-pick_{material.pk}": "on", "supplement-deadline": _due()}
    response = client.post(reverse("cases:request_supplement", args=[case.pk]), data)
    assert response.status_code == 200
    assert response.context["supplement_form"].errors[f"reason_{material.pk}"]
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_supplement_with_nothing_listed_or_a_past_deadline_is_refused(client, cast):
    case = submitted_case(cast)
    client.force_login(cast.clerk)
    response = client.post(reverse("cases:request_supplement", args=[case.pk]), {"supplement-deadline": _due(-1)})
    form = response.context["supplement_form"]
    assert form.errors["deadline"]
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_refuse_prefills_appeal_rights_and_issues_the_decision(client, cast):
    case = submitted_case(cast)
    client.force_login(cast.clerk)
    page = client.get(reverse("cases:review", args=[case.pk])).content.decode()
    assert "行政复议" in page and "行政诉讼" in page
    data = {
        "refuse-reasons": "申请事项不属于本机关职权范围",
        "refuse-competent_authority": "阳江市市场监督管理局",
        "refuse-appeal_rights": "如不服本决定，可在60日内申请行政复议，或6个月内提起行政诉讼。",
    }
    assert client.post(reverse("cases:refuse", args=[case.pk]), data).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.REJECTED
    assert case.documents.filter(kind=DocumentKind.REFUSAL).exists()


def test_refuse_without_reasons_is_refused(client, cast):
    case = submitted_case(cast)
    client.force_login(cast.clerk)
    response = client.post(reverse("cases:refuse", args=[case.pk]), {"refuse-reasons": "", "refuse-appeal_rights": "x"})
    assert response.context["refuse_form"].errors["reasons"]
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_accept_with_deferral_only_offers_deferrable_materials(client, cast):
    case = _only_first_material_case(cast)
    deferrable = case.item_version.materials.get(deferrable=True)
    mandatory = case.item_version.materials.get(deferrable=False)
    client.force_login(cast.clerk)
    form = client.get(reverse("cases:review", args=[case.pk])).context["deferral_form"]
    assert [pk for pk, _ in form.fields["deferred"].choices] == [str(deferrable.pk)]
    # A non-deferrable material smuggled in is refused by the form.
    bad = {"deferral-deferred": [str(mandatory.pk)], "deferral-deadline": _due(3), "deferral-undertaking": "on"}
    response = client.post(reverse("cases:accept_with_deferral", args=[case.pk]), bad)
    assert response.context["deferral_form"].errors["deferred"]
    good = {"deferral-deferred": [str(deferrable.pk)], "deferral-deadline": _due(3), "deferral-undertaking": "on"}
    response = client.post(reverse("cases:accept_with_deferral", args=[case.pk]), good)
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and case.deferred_due is not None
    assert case.undertaking and case.documents.filter(kind=DocumentKind.DEFERRAL).exists()


def test_deferral_without_undertaking_or_beyond_promised_date_is_refused(client, cast):
    case = _only_first_material_case(cast)
    deferrable = case.item_version.materials.get(deferrable=True)
    client.force_login(cast.clerk)
    response = client.post(
        reverse("cases:accept_with_deferral", args=[case.pk]),
        {"deferral-deferred": [str(deferrable.pk)], "deferral-deadline": _due(3)},
    )
    assert response.context["deferral_form"].errors["undertaking"]
    response = client.post(
        reverse("cases:accept_with_deferral", args=[case.pk]),
        {"deferral-deferred": [str(deferrable.pk)], "deferral-deadline": _due(90), "deferral-undertaking": "on"},
    )
    assert response.status_code == 200
    assert "不得晚于承诺办结日期" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_a_transition_the_state_does_not_allow_is_a_plain_message(client, cast):
    case = submitted_case(cast)
    services.case_accept(case=case, actor=cast.clerk)
    client.force_login(cast.clerk)
    response = client.post(reverse("cases:accept", args=[case.pk]), {"accept-note": ""}, follow=True)
    assert response.status_code == 200
    assert "不能执行此操作" in response.content.decode()
    assert case.documents.exclude(kind="receipt").count() == 1


def test_clerk_uploads_supplement_at_the_counter_and_the_applicant_online(client, cast):
    case = submitted_case(cast)
    material = case.item_version.materials.order_by("order").first()
    services.case_request_supplement(
        case=case,
        actor=cast.clerk,
        items=[{"material": material, "name": material.name, "reason": "未签名"}],
        due=timezone.localdate() + datetime.timedelta(days=5),
    )
    client.force_login(cast.citizen)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "未签名" in page and reverse("cases:supplement", args=[case.pk]) in page
    response = client.post(reverse("cases:supplement", args=[case.pk]), {})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(
        reverse("cases:supplement", args=[case.pk]), {f"material_{material.pk}": pdf_upload("签名版.pdf")}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert case.materials.filter(original_name="签名版.pdf", superseded=False).exists()


def test_draft_cannot_be_reviewed(client, cast):
    case = draft_case(cast)
    attach_all(case, cast.citizen)
    client.force_login(cast.clerk)
    response = client.post(reverse("cases:accept", args=[case.pk]), {"accept-note": ""})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT


def test_free_supplement_items_get_an_optional_file_input(client, cast):
    case = submitted_case(cast)
    services.case_request_supplement(
        case=case,
        actor=cast.clerk,
        items=[{"material": None, "name": "营业场所证明", "reason": "租赁合同已过期"}],
        due=timezone.localdate() + datetime.timedelta(days=5),
    )
    client.force_login(cast.citizen)
    form = client.get(reverse("cases:supplement", args=[case.pk])).context["form"]
    assert list(form.fields) == ["extra_file"]
    response = client.post(reverse("cases:supplement", args=[case.pk]), {"extra_file": pdf_upload("新合同.pdf")})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert case.materials.filter(material__isnull=True, original_name="新合同.pdf").exists()


def test_receiving_clerk_of_a_handed_on_case_is_told_plainly(client, cast):
    case = submitted_case(cast)
    case.handed_to_hall = cast.halls["YD"]
    case.save()
    client.force_login(cast.clerk)
    page = client.get(reverse("cases:review", args=[case.pk])).content.decode()
    assert "受理并出具受理通知书" not in page  # the forms belong to the hall it was handed to
    response = client.post(reverse("cases:accept", args=[case.pk]), {"accept-note": ""}, follow=True)
    assert response.status_code == 200 and "无权" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    client.force_login(cast.other_clerk)
    assert client.post(reverse("cases:accept", args=[case.pk]), {"accept-note": ""}).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
