"""The department's decision: grant, deny, special procedure, one extension approved by the agency head."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services
from cases.constants import CaseState, DocumentKind, EventKind, ExtensionState, SpecialProcedureKind
from cases.models import Document
from hall.models import Notice

from .helpers import accepted_case, submitted_case


def test_grant(cast):
    case = accepted_case(cast)
    services.case_grant(case=case, actor=cast.approver, opinion="符合条件")
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED and case.decided_at
    assert case.documents.filter(kind=DocumentKind.GRANT).exists()
    event = case.events.get(kind=EventKind.GRANTED)
    assert (event.role, event.from_state, event.to_state) == ("approver", "accepted", "approved")
    assert Notice.objects.filter(kind="case_granted", recipient=cast.citizen).exists()


def test_deny_with_reasons_and_appeal_rights(cast):
    case = accepted_case(cast)
    services.case_deny(case=case, actor=cast.approver, reasons="经营场所不符合要求")
    case.refresh_from_db()
    assert case.state == CaseState.DENIED and case.outcome_reasons == "经营场所不符合要求"
    assert case.documents.filter(kind=DocumentKind.DENIAL).exists()


def test_deny_needs_reasons(cast):
    case = accepted_case(cast)
    with pytest.raises(ValidationError, match="理由"):
        services.case_deny(case=case, actor=cast.approver, reasons="")


@pytest.mark.parametrize("who", ["other_approver", "clerk", "citizen", "supervisor"])
def test_only_owning_department_decides(cast, who):
    case = accepted_case(cast)
    with pytest.raises(PermissionDenied):
        services.case_grant(case=case, actor=getattr(cast, who))
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED


def test_grant_before_acceptance_is_refused(cast):
    case = submitted_case(cast)
    with pytest.raises(ValidationError, match="待受理"):
        services.case_grant(case=case, actor=cast.approver)


def test_special_procedure_stops_and_resumes(cast):
    case = accepted_case(cast)
    procedure = services.case_suspend(
        case=case, actor=cast.approver, kind=SpecialProcedureKind.INSPECTION, reason="需现场勘查", expected_days=5
    )
    case.refresh_from_db()
    assert case.state == CaseState.SUSPENDED
    assert procedure.ended_on is None
    assert case.documents.filter(kind=DocumentKind.SPECIAL_PROCEDURE).exists()
    with pytest.raises(ValidationError):
        services.case_grant(case=case, actor=cast.approver)
    services.case_resume(case=case, actor=cast.approver, note="勘查合格")
    case.refresh_from_db()
    procedure.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and procedure.ended_on is not None
    assert [e.kind for e in case.events.filter(kind__in=[EventKind.SUSPENDED, EventKind.RESUMED])] == [
        EventKind.SUSPENDED,
        EventKind.RESUMED,
    ]


@pytest.mark.parametrize(
    "kind,reason,days,message",
    [
        ("bogus", "理由", 3, "不是法定的特别程序"),
        (SpecialProcedureKind.HEARING, "", 3, "理由"),
        (SpecialProcedureKind.HEARING, "x", 0, "工作日"),
    ],
)
def test_special_procedure_bad_input(cast, kind, reason, days, message):
    case = accepted_case(cast)
    with pytest.raises(ValidationError, match=message):
        services.case_suspend(case=case, actor=cast.approver, kind=kind, reason=reason, expected_days=days)
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED


def test_extension_requested_once_and_approved_by_agency_head(cast):
    case = accepted_case(cast)
    extension = services.case_request_extension(case=case, actor=cast.approver, days=10, reason="需征求其他部门意见")
    assert extension.state == ExtensionState.PENDING
    told = set(Notice.objects.filter(kind="extension_requested").values_list("recipient__username", flat=True))
    # the agency head approves; the county's and the city's supervisors are told
    assert told == {"jc_head", "jc_supervisor", "yj_supervisor"}
    with pytest.raises(ValidationError, match="只能延期一次"):
        services.case_request_extension(case=case, actor=cast.approver, days=2, reason="再次")
    with pytest.raises(PermissionDenied):
        services.case_approve_extension(extension=extension, actor=cast.approver)
    services.case_approve_extension(extension=extension, actor=cast.agency_head)
    extension.refresh_from_db()
    case.refresh_from_db()
    assert extension.state == ExtensionState.APPROVED and extension.decided_by == cast.agency_head
    assert case.extension_days == 10
    assert case.documents.filter(kind=DocumentKind.EXTENSION).exists()
    with pytest.raises(ValidationError, match="已处理"):
        services.case_approve_extension(extension=extension, actor=cast.agency_head)


@pytest.mark.parametrize("days", [0, 11, 30])
def test_extension_at_most_ten_working_days(cast, days):
    case = accepted_case(cast)
    with pytest.raises(ValidationError, match="最多 10 个工作日"):
        services.case_request_extension(case=case, actor=cast.approver, days=days, reason="理由")


def test_refused_extension_leaves_limit_unchanged(cast):
    case = accepted_case(cast)
    extension = services.case_request_extension(case=case, actor=cast.approver, days=5, reason="理由")
    services.case_approve_extension(extension=extension, actor=cast.agency_head, approve=False, note="理由不充分")
    case.refresh_from_db()
    assert case.extension_days == 0
    assert not Document.objects.filter(case=case, kind=DocumentKind.EXTENSION).exists()
    assert case.events.filter(kind=EventKind.EXTENSION_REFUSED).exists()


def test_extension_only_while_deciding(cast):
    case = submitted_case(cast)
    with pytest.raises(ValidationError):
        services.case_request_extension(case=case, actor=cast.approver, days=5, reason="理由")
