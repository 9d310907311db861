"""Intake review: accept, one-time supplement notice, supplement, refuse, accept with deferral."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services
from cases.constants import CaseState, DefectKind, DocumentKind, EventKind
from cases.models import Document, SupplementRequest
from hall.models import Notice

from .factories import pdf_upload, png_upload
from .helpers import accepted_case, submitted_case


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def test_accept_issues_acceptance_notice(cast):
    case = accepted_case(cast)
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    assert case.accepted_on == timezone.localdate()
    document = Document.objects.exclude(kind=DocumentKind.RECEIPT).get(case=case)
    assert document.kind == DocumentKind.ACCEPTANCE and document.title == "受理通知书"
    event = case.events.get(kind=EventKind.ACCEPTED)
    assert (event.actor, event.role, event.hall, event.document) == (
        cast.clerk,
        "window_clerk",
        cast.halls["JC"],
        document,
    )
    assert Notice.objects.filter(recipient=cast.citizen, kind="case_accepted", case_number=case.number).exists()


def test_accept_refused_when_incomplete(cast):
    case = submitted_case(cast, complete=False)
    with pytest.raises(ValidationError, match="申请人身份证明"):
        services.case_accept(case=case, actor=cast.clerk)
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert not Document.objects.exclude(kind=DocumentKind.RECEIPT).exists()


@pytest.mark.parametrize("who", ["other_clerk", "approver", "citizen", "supervisor"])
def test_only_clerk_of_the_hall_may_accept(cast, who):
    case = submitted_case(cast)
    with pytest.raises(PermissionDenied):
        services.case_accept(case=case, actor=getattr(cast, who))


def test_accept_in_wrong_state_is_plain_error(cast):
    case = accepted_case(cast)
    with pytest.raises(ValidationError, match="当前状态为“已受理”"):
        services.case_accept(case=case, actor=cast.clerk)


def _supplement(cast, case, due=None):
    material = case.item_version.materials.get(name="申请人身份证明")
    return services.case_request_supplement(
        case=case,
        actor=cast.clerk,
        items=[
            {"material": material, "name": material.name, "reason": "身份证已过有效期"},
            {"material": None, "name": "营业场所证明", "reason": "租赁合同未签字"},
        ],
        due=due or in_days(10),
    )


def test_supplement_request_lists_everything_once(cast):
    case = submitted_case(cast)
    request = _supplement(cast, case)
    case.refresh_from_db()
    assert case.state == CaseState.SUPPLEMENT_REQUESTED
    assert case.supplement_due == in_days(10)
    lines = list(request.items.values_list("name", "defect", "reason"))
    assert lines == [
        ("申请人身份证明", DefectKind.DEFECTIVE, "身份证已过有效期"),
        ("营业场所证明", DefectKind.MISSING, "租赁合同未签字"),
    ]
    assert Document.objects.exclude(kind=DocumentKind.RECEIPT).get(case=case).kind == DocumentKind.SUPPLEMENT
    notice = Notice.objects.get(kind="case_supplement_requested")
    assert "身份证已过有效期" in notice.body and "租赁合同未签字" in notice.body


@pytest.mark.parametrize(
    "items,due,message",
    [
        ([], 10, "至少列出一项"),
        ([{"material": None, "name": "证明", "reason": ""}], 10, "原因"),
        ([{"material": None, "name": "证明", "reason": "缺"}], 0, "晚于今天"),
    ],
)
def test_supplement_request_bad_input(cast, items, due, message):
    case = submitted_case(cast)
    with pytest.raises(ValidationError, match=message):
        services.case_request_supplement(case=case, actor=cast.clerk, items=items, due=in_days(due))
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert not SupplementRequest.objects.exists()


def test_supplement_then_accept_dates_acceptance_on_last_material(cast):
    case = submitted_case(cast)
    _supplement(cast, case)
    with pytest.raises(ValidationError, match="申请人身份证明"):
        services.case_supplement(case=case, actor=cast.citizen)
    material = case.item_version.materials.get(name="申请人身份证明")
    services.case_attach_material(case=case, actor=cast.citizen, upload=png_upload("新身份证.png"), material=material)
    services.case_supplement(case=case, actor=cast.citizen)
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert case.last_material_on == timezone.localdate()
    assert case.supplement_due is None
    assert case.supplement_requests.get().fulfilled_at is not None
    assert case.materials.filter(material=material, superseded=True).count() == 1
    services.case_accept(case=case, actor=cast.clerk)
    case.refresh_from_db()
    assert case.accepted_on == case.last_material_on


def test_acceptance_date_is_day_last_material_arrived_not_day_of_review(cast):
    case = submitted_case(cast)
    _supplement(cast, case)
    material = case.item_version.materials.get(name="申请人身份证明")
    services.case_attach_material(case=case, actor=cast.citizen, upload=png_upload(), material=material)
    services.case_supplement(case=case, actor=cast.citizen)
    case.refresh_from_db()
    case.last_material_on = timezone.localdate() - datetime.timedelta(days=2)  # arrived two days ago
    case.save(update_fields=["last_material_on"])
    services.case_accept(case=case, actor=cast.clerk)
    case.refresh_from_db()
    assert case.accepted_on == timezone.localdate() - datetime.timedelta(days=2)


def test_refuse_with_reasons_authority_and_appeal_rights(cast):
    case = submitted_case(cast)
    services.case_refuse(
        case=case, actor=cast.clerk, reasons="不属于本机关职权范围", competent_authority="阳江市市场监督管理局"
    )
    case.refresh_from_db()
    assert case.state == CaseState.REJECTED
    assert case.outcome_reasons == "不属于本机关职权范围"
    document = Document.objects.exclude(kind=DocumentKind.RECEIPT).get(case=case)
    assert document.kind == DocumentKind.REFUSAL
    assert services.default_appeal_rights(case).startswith("如不服本决定，可自收到本决定书之日起60日内")


def test_refuse_needs_reasons(cast):
    case = submitted_case(cast)
    with pytest.raises(ValidationError, match="理由"):
        services.case_refuse(case=case, actor=cast.clerk, reasons="  ")
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_accept_with_deferral(cast):
    case = submitted_case(cast, complete=False)
    deferrable = case.item_version.materials.get(name="申请人身份证明")
    services.case_accept_with_deferral(
        case=case, actor=cast.clerk, deferred_materials=[deferrable], due=in_days(3), undertaking="承诺3日内补交"
    )
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    assert case.deferred_due == in_days(3)
    assert case.undertaking == "承诺3日内补交" and case.undertaking_signed_at
    assert case.deferred_materials.get().material == deferrable
    assert Document.objects.exclude(kind=DocumentKind.RECEIPT).get(case=case).kind == DocumentKind.DEFERRAL
    # The decision waits for the deferred material.
    with pytest.raises(ValidationError, match="容缺材料尚未补齐"):
        services.case_grant(case=case, actor=cast.approver)
    # Only the deferred material may still be handed in, then the grant goes through.
    other = case.item_version.materials.get(name="申请书")
    with pytest.raises(ValidationError, match="容缺材料"):
        services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload(), material=other)
    services.case_attach_material(case=case, actor=cast.citizen, upload=png_upload(), material=deferrable)
    case.refresh_from_db()
    assert case.deferred_due is None
    assert case.events.filter(kind=EventKind.DEFERRED_RECEIVED).exists()
    services.case_grant(case=case, actor=cast.approver)
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED


def test_deferral_only_for_deferrable_materials(cast):
    case = submitted_case(cast, complete=False)
    not_deferrable = case.item_version.materials.get(name="申请书")
    with pytest.raises(ValidationError, match="不是可容缺材料"):
        services.case_accept_with_deferral(
            case=case, actor=cast.clerk, deferred_materials=[not_deferrable], due=in_days(3), undertaking="承诺"
        )
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_deferral_deadline_not_after_promised_completion(cast):
    case = submitted_case(cast, complete=False)  # promised_days = 5 working days
    deferrable = case.item_version.materials.get(name="申请人身份证明")
    with pytest.raises(ValidationError, match="不得晚于承诺办结日期"):
        services.case_accept_with_deferral(
            case=case, actor=cast.clerk, deferred_materials=[deferrable], due=in_days(30), undertaking="承诺"
        )


def test_deferral_needs_undertaking(cast):
    case = submitted_case(cast, complete=False)
    deferrable = case.item_version.materials.get(name="申请人身份证明")
    with pytest.raises(ValidationError, match="承诺书"):
        services.case_accept_with_deferral(
            case=case, actor=cast.clerk, deferred_materials=[deferrable], due=in_days(3), undertaking=""
        )
