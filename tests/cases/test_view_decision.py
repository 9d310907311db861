"""Approver pages: the case beside the guide, grant, deny, special procedure, extension; and the
supervisors' extension list."""

import pytest
from django.urls import reverse

from cases import services
from cases.constants import CaseState, DocumentKind, ExtensionState
from cases.models import ExtensionRequest

from .helpers import accepted_case, submitted_case

pytestmark = pytest.mark.django_db


def test_decide_page_shows_materials_beside_the_guide(client, cast):
    case = accepted_case(cast)
    client.force_login(cast.approver)
    html = client.get(reverse("cases:decide", args=[case.pk])).content.decode()
    for material in case.item_version.materials.all():
        assert material.name in html
    assert "准予许可并出具决定书" in html and "行政复议" in html


def test_grant_issues_the_decision(client, cast):
    case = accepted_case(cast)
    client.force_login(cast.approver)
    response = client.post(reverse("cases:grant", args=[case.pk]), {"grant-opinion": "符合条件"}, follow=True)
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    document = case.documents.get(kind=DocumentKind.GRANT)
    assert reverse("cases:document", args=[case.pk, document.pk]) in response.content.decode()


def test_deny_needs_reasons(client, cast):
    case = accepted_case(cast)
    client.force_login(cast.approver)
    response = client.post(reverse("cases:deny", args=[case.pk]), {"deny-reasons": "", "deny-appeal_rights": "x"})
    assert response.status_code == 200 and response.context["deny_form"].errors["reasons"]
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    data = {"deny-reasons": "经营场所不符合规定", "deny-appeal_rights": "可申请行政复议或提起行政诉讼。"}
    assert client.post(reverse("cases:deny", args=[case.pk]), data).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.DENIED and case.documents.filter(kind=DocumentKind.DENIAL).exists()


def test_special_procedure_starts_and_ends(client, cast):
    case = accepted_case(cast)
    client.force_login(cast.approver)
    bad = {"suspend-kind": "hearing", "suspend-reason": "", "suspend-expected_days": "0"}
    response = client.post(reverse("cases:suspend", args=[case.pk]), bad)
    assert set(response.context["suspend_form"].errors) == {"reason", "expected_days"}
    good = {"suspend-kind": "hearing", "suspend-reason": "涉及重大公共利益，举行听证", "suspend-expected_days": "10"}
    assert client.post(reverse("cases:suspend", args=[case.pk]), good).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SUSPENDED
    assert case.documents.filter(kind=DocumentKind.SPECIAL_PROCEDURE).exists()
    page = client.get(reverse("cases:decide", args=[case.pk])).content.decode()
    assert "结束特别程序" in page and "准予许可并出具决定书" not in page
    assert client.post(reverse("cases:resume", args=[case.pk]), {"resume-note": "听证结束"}).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED


def test_extension_at_most_ten_days_then_the_agency_head_approves(client, cast):
    case = accepted_case(cast)
    client.force_login(cast.approver)
    response = client.post(
        reverse("cases:request_extension", args=[case.pk]), {"extension-days": "11", "extension-reason": "复杂"}
    )
    assert "最多 10 个工作日" in " ".join(response.context["extension_form"].non_field_errors())
    assert "第四十二条" in response.content.decode()
    assert not ExtensionRequest.objects.exists()
    data = {"extension-days": "5", "extension-reason": "需要现场核查"}
    assert client.post(reverse("cases:request_extension", args=[case.pk]), data).status_code == 302
    extension = ExtensionRequest.objects.get()
    # The approver cannot ask twice.
    page = client.get(reverse("cases:decide", args=[case.pk])).content.decode()
    assert "提交延期申请" not in page

    client.force_login(cast.supervisor)  # sees it, does not approve it
    page = client.get(reverse("cases:extensions")).content.decode()
    assert case.number in page and "需要现场核查" in page and "待实施部门机关负责人审批" in page
    client.force_login(cast.agency_head)
    page = client.get(reverse("cases:extensions")).content.decode()
    assert case.number in page and "提交审批意见" in page
    response = client.post(
        reverse("cases:extension_decide", args=[extension.pk]), {f"ext{extension.pk}-approve": "1"}, follow=True
    )
    assert "已批准延期" in response.content.decode()
    extension.refresh_from_db()
    case.refresh_from_db()
    assert extension.state == ExtensionState.APPROVED and case.extension_days == 5
    assert case.documents.filter(kind=DocumentKind.EXTENSION).exists()


def test_extension_list_is_for_agency_heads_and_supervisors_only(client, cast):
    case = accepted_case(cast)
    extension = services.case_request_extension(case=case, actor=cast.approver, days=3, reason="理由")
    for outsider in (cast.approver, cast.clerk, cast.citizen):
        client.force_login(outsider)
        assert client.get(reverse("cases:extensions")).status_code == 404
        assert client.post(reverse("cases:extension_decide", args=[extension.pk]), {}).status_code == 404
    client.force_login(cast.other_agency_head)  # the head of another county's department
    assert case.number not in client.get(reverse("cases:extensions")).content.decode()
    data = {f"ext{extension.pk}-approve": "1"}
    assert client.post(reverse("cases:extension_decide", args=[extension.pk]), data).status_code == 404
    extension.refresh_from_db()
    assert extension.state == ExtensionState.PENDING


def test_approver_of_another_department_cannot_decide(client, cast):
    case = accepted_case(cast)
    client.force_login(cast.other_approver)
    assert client.get(reverse("cases:decide", args=[case.pk])).status_code == 404
    assert client.post(reverse("cases:grant", args=[case.pk]), {"grant-opinion": ""}).status_code == 404
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED


def test_grant_before_acceptance_is_refused_plainly(client, cast):
    case = submitted_case(cast)
    client.force_login(cast.approver)
    response = client.post(reverse("cases:grant", args=[case.pk]), {"grant-opinion": ""}, follow=True)
    assert response.status_code in (200, 404)
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
