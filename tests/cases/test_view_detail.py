"""The applicant's case page (timeline, documents, withdraw with confirmation) and their landing page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.constants import CaseState
from cases.models import Case
from tests.factories import EnterpriseFactory

from .factories import pdf_upload
from .helpers import accepted_case, draft_case, submitted_case, version_with_materials

pytestmark = pytest.mark.django_db


def test_case_page_shows_timeline_and_documents(client, cast):
    case = accepted_case(cast)
    client.force_login(cast.citizen)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert case.number in html
    for label in ("创建草稿", "上传材料", "提交申请", "受理"):
        assert label in html
    document = case.documents.get(kind="acceptance")
    assert reverse("cases:document", args=[case.pk, document.pk]) in html
    assert "受理通知书" in html


def test_document_downloads_as_pdf(client, cast):
    case = accepted_case(cast)
    document = case.documents.get(kind="acceptance")
    client.force_login(cast.citizen)
    response = client.get(reverse("cases:document", args=[case.pk, document.pk]) + "?download=1")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_withdraw_needs_confirmation(client, cast):
    case = submitted_case(cast)
    client.force_login(cast.citizen)
    response = client.post(reverse("cases:withdraw", args=[case.pk]), {"reason": "不办了"})
    assert response.status_code == 200 and response.context["withdraw_form"].errors["confirm"]
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    response = client.post(reverse("cases:withdraw", args=[case.pk]), {"reason": "不办了", "confirm": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN


def test_withdraw_after_decision_is_a_plain_message(client, cast):
    case = accepted_case(cast)
    services.case_grant(case=case, actor=cast.approver)
    client.force_login(cast.citizen)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "撤回申请" not in page
    response = client.post(reverse("cases:withdraw", args=[case.pk]), {"confirm": "on"}, follow=True)
    assert response.status_code == 200 and "不能执行此操作" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED


def test_withdraw_is_a_post(client, cast):
    case = submitted_case(cast)
    client.force_login(cast.citizen)
    assert client.get(reverse("cases:withdraw", args=[case.pk])).status_code == 405


def test_citizen_home_lists_drafts_and_open_cases(client, cast):
    draft = draft_case(cast)
    case = submitted_case(cast)
    other = submitted_case(cast.__class__(**{**vars(cast), "citizen": cast.other_citizen}))
    client.force_login(cast.citizen)
    html = client.get(reverse("workbench"), follow=True).content.decode()
    assert reverse("cases:edit", args=[draft.pk]) in html
    assert case.number in html
    assert other.number not in html
    assert reverse("cases:progress") in html


def test_deferred_material_handed_in_online_after_deferral(client, cast):
    case = draft_case(cast)
    first, deferrable = case.item_version.materials.order_by("order")
    services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload(), material=first)
    services.case_submit(case=case, actor=cast.citizen)
    services.case_accept_with_deferral(
        case=case,
        actor=cast.clerk,
        deferred_materials=[deferrable],
        due=timezone.localdate() + datetime.timedelta(days=2),
        undertaking="承诺两日内补交",
    )
    client.force_login(cast.citizen)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "补交容缺材料" in page
    form = client.get(reverse("cases:supplement", args=[case.pk])).context["form"]
    assert list(form.fields) == [f"material_{deferrable.pk}"]
    response = client.post(reverse("cases:supplement", args=[case.pk]), {f"material_{deferrable.pk}": pdf_upload()})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and case.deferred_due is None
    assert client.get(reverse("cases:supplement", args=[case.pk])).status_code == 302  # nothing left to hand in


def test_enterprise_agent_applies_in_the_enterprise_name(client, cast):
    enterprise = EnterpriseFactory()
    version = version_with_materials()
    client.force_login(enterprise.agent)
    page = client.get(reverse("cases:apply", args=[version.item.pk])).content.decode()
    assert enterprise.name in page
    data = {
        "applicant_id_number": enterprise.agent.id_number,
        "contact_mobile": enterprise.agent.mobile,
        "as_enterprise": "on",
        "action": "save",
    }
    client.post(reverse("cases:apply", args=[version.item.pk]), data)
    case = Case.objects.get()
    assert case.enterprise == enterprise and case.applicant_name == enterprise.name
