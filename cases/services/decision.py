"""The department's decision: grant or deny, special procedures (clock stopped) and one extension of
at most 10 working days approved by a supervisor (行政许可法 Art. 42, 45)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from hall.constants import StaffRole
from hall.models import User
from hall.notices import notice_queue

from .. import permissions
from ..constants import MAX_EXTENSION_DAYS, CaseState, DocumentKind, EventKind, ExtensionState, SpecialProcedureKind
from ..models import Case, ExtensionRequest, SpecialProcedure
from ._common import case_service, event_record, notify_applicant, run_transition, save_case, today
from .bundle import bundle_follow
from .intake import _issue_and_record, _officer, default_appeal_rights


@case_service
def case_grant(*, case: Case, actor, opinion: str = "", ip: str | None = None) -> Case:
    """准予行政许可决定书. Refused while deferred (容缺) materials are outstanding."""
    if case.state == CaseState.ACCEPTED and case.deferred_due is not None:
        raise ValidationError(_("容缺材料尚未补齐，暂不能作出准予决定。"), code="deferred_outstanding")
    from_state = case.state
    run_transition(case, "grant", actor)
    case.decided_at = timezone.now()
    save_case(case)
    context = {"opinion": opinion.strip(), "result_name": case.item_version.result_name, "officer": _officer(actor)}
    _issue_and_record(
        case, kind=DocumentKind.GRANT, event_kind=EventKind.GRANTED, actor=actor, from_state=from_state,
        note=opinion, context=context, ip=ip,
    )  # fmt: skip
    notify_applicant(
        case,
        kind="case_granted",
        subject=f"准予许可：{case.title}",
        body=f"办件 {case.number} 已作出准予许可的决定，结果“{case.item_version.result_name}”将按您选择的方式送达。",
    )
    bundle_follow(case)
    return case


@case_service
def case_deny(*, case: Case, actor, reasons: str, appeal_rights: str = "", ip: str | None = None) -> Case:
    """不予行政许可决定书 with the reasons and appeal rights."""
    if not (reasons or "").strip():
        raise ValidationError(_("请写明不予许可的理由。"), code="no_reason")
    from_state = case.state
    run_transition(case, "deny", actor)
    case.decided_at = timezone.now()
    case.outcome_reasons = reasons.strip()
    save_case(case)
    context = {
        "reasons": case.outcome_reasons,
        "appeal_rights": (appeal_rights or "").strip() or default_appeal_rights(case),
        "officer": _officer(actor),
    }
    _issue_and_record(
        case, kind=DocumentKind.DENIAL, event_kind=EventKind.DENIED, actor=actor, from_state=from_state,
        note=case.outcome_reasons, context=context, ip=ip,
    )  # fmt: skip
    notify_applicant(
        case,
        kind="case_denied",
        subject=f"不予许可：{case.title}",
        body=f"办件 {case.number} 不予许可。理由：{case.outcome_reasons}。决定书可在办件详情中下载。",
    )
    bundle_follow(case)
    return case


@case_service
def case_suspend(
    *, case: Case, actor, kind: str, reason: str, expected_days: int, ip: str | None = None
) -> SpecialProcedure:
    """Start a special procedure (特别程序告知书): the clock stops until case_resume."""
    if kind not in SpecialProcedureKind.values:
        raise ValidationError(_("请选择特别程序的种类。"), code="bad_kind")
    if not (reason or "").strip():
        raise ValidationError(_("请写明启动特别程序的理由。"), code="no_reason")
    if not isinstance(expected_days, int) or expected_days < 1:
        raise ValidationError(_("请填写特别程序预计所需的工作日（至少1天）。"), code="bad_days")
    from_state = case.state
    run_transition(case, "suspend", actor)
    save_case(case)
    procedure = SpecialProcedure.objects.create(
        case=case, kind=kind, reason=reason.strip(), expected_days=expected_days, started_on=today(), started_by=actor
    )
    context = {"procedure": procedure, "officer": _officer(actor)}
    with translation.override(settings.LANGUAGE_CODE):  # the trail and the notice stay Chinese
        kind_label = procedure.get_kind_display()
    _issue_and_record(
        case, kind=DocumentKind.SPECIAL_PROCEDURE, event_kind=EventKind.SUSPENDED, actor=actor,
        from_state=from_state, note=f"{kind_label}：{procedure.reason}（预计{expected_days}个工作日）",
        context=context, ip=ip,
    )  # fmt: skip
    notify_applicant(
        case,
        kind="case_suspended",
        subject=f"特别程序告知：{case.title}",
        body=f"办件 {case.number} 进入{kind_label}程序，预计需要{expected_days}个工作日，所需时间不计入办理时限。",
    )
    bundle_follow(case)
    return procedure


@case_service
def case_resume(*, case: Case, actor, note: str = "", ip: str | None = None) -> Case:
    """End the running special procedure; the clock (case_clock_recompute) adds its working days to paused_days."""
    procedure = case.special_procedures.filter(ended_on__isnull=True).first()
    from_state = case.state
    run_transition(case, "resume", actor)
    if procedure is not None:
        procedure.ended_on = today()
        procedure.ended_by = actor
        procedure.save(update_fields=["ended_on", "ended_by"])
    save_case(case)
    event_record(
        case=case, kind=EventKind.RESUMED, actor=actor, from_state=from_state, to_state=case.state, note=note, ip=ip
    )
    notify_applicant(
        case,
        kind="case_resumed",
        subject=f"特别程序结束：{case.title}",
        body=f"办件 {case.number} 的特别程序已结束，继续办理。",
    )
    bundle_follow(case)
    return case


@case_service
def case_request_extension(*, case: Case, actor, days: int, reason: str, ip: str | None = None) -> ExtensionRequest:
    """An approver asks for one extension of at most 10 working days, with its reason."""
    if not permissions.can_decide(case, actor):
        raise PermissionDenied(_("只有实施部门的审批人员可以申请延期。"))
    if case.state not in (CaseState.ACCEPTED, CaseState.SUSPENDED):
        raise ValidationError(_("只有已受理、尚未决定的办件可以申请延期。"), code="bad_state")
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationError(
            _("延期最多 %(max)s 个工作日（行政许可法第四十二条）。"),
            code="too_long",
            params={"max": MAX_EXTENSION_DAYS},
        )
    if not (reason or "").strip():
        raise ValidationError(_("请写明延期理由。"), code="no_reason")
    if case.extension_requests.exclude(state=ExtensionState.REFUSED).exists():
        raise ValidationError(_("每个办件只能延期一次。"), code="once")
    try:
        with transaction.atomic():
            extension = ExtensionRequest.objects.create(case=case, days=days, reason=reason.strip(), requested_by=actor)
    except IntegrityError as exc:
        raise ValidationError(_("每个办件只能延期一次。"), code="once") from exc
    event_record(
        case=case, kind=EventKind.EXTENSION_REQUESTED, actor=actor, note=f"申请延期{days}个工作日：{reason}", ip=ip
    )
    for supervisor in _supervisors_of(case):
        notice_queue(
            recipient=supervisor,
            kind="extension_requested",
            subject=f"延期待批准：{case.number}",
            body=f"{case.owning_department.name}申请将办件 {case.number}（{case.title}）的办理期限延长{days}个工作日，"
            f"理由：{reason.strip()}。请审批。",
            case_number=case.number or "",
        )
    return extension


def _supervisors_of(case: Case):
    """The supervisors who may approve the case's extension (permissions.is_supervisor)."""
    region = case.owning_department.region
    users = User.objects.filter(
        assignments__role=StaffRole.SUPERVISOR, assignments__hall__region_id__in=[region.pk, region.parent_id]
    ).distinct()
    return [user for user in users if permissions.is_supervisor(case, user)]


@case_service
def case_approve_extension(
    *, extension: ExtensionRequest, actor, approve: bool = True, note: str = "", ip: str | None = None
) -> ExtensionRequest:
    """A supervisor approves (延期告知书 to the applicant, decision limit + days) or refuses the extension."""
    extension = ExtensionRequest.objects.select_for_update().select_related("case").get(pk=extension.pk)
    case = extension.case
    if not permissions.can_approve_extension(case, actor):
        raise PermissionDenied(_("只有督查人员可以批准延期。"))
    if extension.state != ExtensionState.PENDING:
        raise ValidationError(_("该延期申请已处理。"), code="already_decided")
    if approve and case.state not in (CaseState.ACCEPTED, CaseState.SUSPENDED):
        raise ValidationError(_("办件已作出决定或已结束，无需延期。"), code="bad_state")
    extension.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
    extension.decided_by = actor
    extension.decided_at = timezone.now()
    extension.save(update_fields=["state", "decided_by", "decided_at"])
    if not approve:
        event_record(case=case, kind=EventKind.EXTENSION_REFUSED, actor=actor, note=note, ip=ip)
        return extension
    case.extension_days = extension.days
    save_case(case)
    context = {"extension": extension, "note": note, "officer": _officer(actor)}
    _issue_and_record(
        case, kind=DocumentKind.EXTENSION, event_kind=EventKind.EXTENSION_APPROVED, actor=actor,
        from_state="", note=f"批准延期{extension.days}个工作日。{note}", context=context, ip=ip,
    )  # fmt: skip
    notify_applicant(
        case,
        kind="case_extended",
        subject=f"延期告知：{case.title}",
        body=f"办件 {case.number} 经批准延长办理期限{extension.days}个工作日，理由：{extension.reason}。",
    )
    return extension
