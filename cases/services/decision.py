"""The department's decision: grant or deny; special procedures (clock stopped) of the kinds Art. 45
lists or the item's own law names; on-site inspection as a step of the review (clock running); and
one extension within the item's cap (Art. 42: 10 working days unless the item's law says otherwise;
joint handling of a bundle +15), approved by the head of the deciding agency (机关负责人)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from hall.constants import StaffRole
from hall.models import User
from hall.notices import notice_queue

from .. import permissions
from ..clock import unit_label
from ..constants import (
    ART_45,
    EXTENSION_BASIS,
    JOINT_BASIS,
    JOINT_EXTENSION_DAYS,
    MAX_EXTENSION_DAYS,
    CaseState,
    DocumentKind,
    EventKind,
    ExtensionState,
    SpecialProcedureKind,
)
from ..models import Case, ExtensionRequest, SpecialProcedure
from ._common import case_service, event_record, notify_applicant, run_transition, save_case, today
from .bundle import bundle_follow
from .intake import _issue_and_record, _officer, default_appeal_rights
from .limits import delivery_limit_text


@case_service
def case_grant(*, case: Case, actor, opinion: str = "", ip: str | None = None) -> Case:
    """准予行政许可决定书. Refused while deferred (容缺) materials are outstanding."""
    if case.state == CaseState.ACCEPTED and case.deferred_due is not None:
        raise ValidationError(_("容缺材料尚未补齐，暂不能作出准予决定。"), code="deferred_outstanding")
    from_state = case.state
    run_transition(case, "grant", actor)
    case.decided_at = timezone.now()
    save_case(case)
    context = {
        "opinion": opinion.strip(),
        "result_name": case.item_version.result_name,
        "delivery_limit": delivery_limit_text(case.item_version),
        "officer": _officer(actor),
    }
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


def special_procedure_kinds(case: Case) -> list[dict]:
    """The special procedures open to this case: the Art. 45 kinds, and those the item's own law
    names (ItemVersion.special_procedure_kinds: [{"name", "basis"}])."""
    kinds = [
        {"kind": value, "name": str(label), "basis": ART_45}
        for value, label in SpecialProcedureKind.choices
        if value != SpecialProcedureKind.ITEM_LAW
    ]
    version = case.item_version
    for entry in (getattr(version, "special_procedure_kinds", None) or []) if version else []:
        if entry.get("name") and entry.get("basis"):
            kinds.append({"kind": SpecialProcedureKind.ITEM_LAW, "name": entry["name"], "basis": entry["basis"]})
    return kinds


def _procedure_kind(case: Case, kind: str, name: str) -> dict:
    name = (name or "").strip()
    for entry in special_procedure_kinds(case):
        if entry["kind"] == kind and (kind != SpecialProcedureKind.ITEM_LAW or entry["name"] == name):
            return entry
    listed = "、".join(str(label) for value, label in SpecialProcedureKind.choices if value != "item_law")
    raise ValidationError(
        _(
            "“%(name)s”不是法定的特别程序：只有行政许可法第四十五条所列的%(listed)s，或者本事项适用的法律"
            "明确规定的程序，所需时间才不计入办理期限。现场核查属于审查环节，请记录为现场核查，期限照常计算。"
        ),
        code="bad_kind",
        params={"name": name or kind, "listed": listed},
    )


@case_service
def case_suspend(
    *, case: Case, actor, kind: str, reason: str, expected_days: int, name: str = "", ip: str | None = None
) -> SpecialProcedure:
    """Start a special procedure (特别程序告知书 with its kind, basis and expected length): the clock
    stops until case_resume. Only the Art. 45 kinds or one the item's own law names."""
    entry = _procedure_kind(case, kind, name)
    if not (reason or "").strip():
        raise ValidationError(_("请写明启动特别程序的理由。"), code="no_reason")
    if not isinstance(expected_days, int) or expected_days < 1:
        raise ValidationError(_("请填写特别程序预计所需的工作日（至少1天）。"), code="bad_days")
    from_state = case.state
    run_transition(case, "suspend", actor)
    save_case(case)
    procedure = SpecialProcedure.objects.create(
        case=case,
        kind=kind,
        name=entry["name"] if kind == SpecialProcedureKind.ITEM_LAW else "",
        basis=entry["basis"],
        reason=reason.strip(),
        expected_days=expected_days,
        started_on=today(),
        started_by=actor,
    )
    with translation.override(settings.LANGUAGE_CODE):  # the trail and the notice stay Chinese
        kind_label = procedure.name or procedure.get_kind_display()
    context = {"procedure": procedure, "kind_label": kind_label, "officer": _officer(actor)}
    _issue_and_record(
        case, kind=DocumentKind.SPECIAL_PROCEDURE, event_kind=EventKind.SUSPENDED, actor=actor,
        from_state=from_state,
        note=f"{kind_label}（{procedure.basis}）：{procedure.reason}（预计{expected_days}个工作日）",
        context=context, ip=ip,
    )  # fmt: skip
    notify_applicant(
        case,
        kind="case_suspended",
        subject=f"特别程序告知：{case.title}",
        body=f"办件 {case.number} 进入{kind_label}程序（依据{procedure.basis}），预计需要{expected_days}个工作日，"
        "所需时间不计入办理时限。",
    )
    bundle_follow(case)
    return procedure


@case_service
def case_record_site_inspection(*, case: Case, actor, findings: str, ip: str | None = None) -> Case:
    """现场核查: a step of the review, recorded in the trail; not a special procedure, so the clock runs."""
    if not permissions.can_decide(case, actor):
        raise PermissionDenied(_("只有实施部门的审批人员可以记录现场核查。"))
    if case.state not in (CaseState.ACCEPTED, CaseState.SUSPENDED):
        raise ValidationError(_("只有已受理、尚未决定的办件可以记录现场核查。"), code="bad_state")
    if not (findings or "").strip():
        raise ValidationError(_("请写明现场核查的情况。"), code="no_findings")
    event_record(
        case=case,
        kind=EventKind.SITE_INSPECTION,
        actor=actor,
        note=f"现场核查（审查环节，办理期限照常计算）：{findings.strip()}",
        ip=ip,
    )
    return case


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


def extension_cap(case: Case) -> tuple[int, str, str]:
    """(longest extension, its unit, the article allowing it) for the case: the item's own cap
    (default Art. 42: 10 working days); a child of a bundle in joint handling, Art. 42 ¶2: 15 working days."""
    if case.parent_id:
        return JOINT_EXTENSION_DAYS, "working_day", JOINT_BASIS
    version = case.item_version
    days = getattr(version, "extension_max_days", None)
    basis = (getattr(version, "extension_basis", "") or "").strip() or EXTENSION_BASIS
    return (MAX_EXTENSION_DAYS if days is None else days), version.limit_unit, basis


@case_service
def case_request_extension(*, case: Case, actor, days: int, reason: str, ip: str | None = None) -> ExtensionRequest:
    """An approver asks for one extension within the item's cap, with its reason; the head of the
    deciding agency (机关负责人) is asked to approve, the supervisors are told."""
    if not permissions.can_decide(case, actor):
        raise PermissionDenied(_("只有实施部门的审批人员可以申请延期。"))
    if case.state not in (CaseState.ACCEPTED, CaseState.SUSPENDED):
        raise ValidationError(_("只有已受理、尚未决定的办件可以申请延期。"), code="bad_state")
    cap, unit, basis = extension_cap(case)
    if cap == 0:
        raise ValidationError(
            _("本事项的办理期限不得延长（%(basis)s）。"), code="no_extension", params={"basis": basis}
        )
    if not isinstance(days, int) or not 1 <= days <= cap:
        raise ValidationError(
            _("延期最多 %(max)s 个%(unit)s（%(basis)s）。"),
            code="too_long",
            params={"max": cap, "unit": unit_label(unit), "basis": basis},
        )
    if not (reason or "").strip():
        raise ValidationError(_("请写明延期理由。"), code="no_reason")
    if case.extension_requests.exclude(state=ExtensionState.REFUSED).exists():
        raise ValidationError(_("每个办件只能延期一次。"), code="once")
    try:
        with transaction.atomic():
            extension = ExtensionRequest.objects.create(
                case=case, days=days, reason=reason.strip(), basis=basis, requested_by=actor
            )
    except IntegrityError as exc:
        raise ValidationError(_("每个办件只能延期一次。"), code="once") from exc
    label = unit_label(unit)
    event_record(
        case=case, kind=EventKind.EXTENSION_REQUESTED, actor=actor, note=f"申请延期{days}个{label}：{reason}", ip=ip
    )
    heads = _agency_heads_of(case)
    for user in heads + [s for s in _supervisors_of(case) if s not in heads]:
        approve = user in heads
        notice_queue(
            recipient=user,
            kind="extension_requested",
            subject=f"延期{'待批准' if approve else '申请（知悉）'}：{case.number}",
            body=f"{case.owning_department.name}申请将办件 {case.number}（{case.title}）的办理期限延长{days}个{label}"
            f"（{basis}），理由：{reason.strip()}。{'请审批。' if approve else '由机关负责人审批。'}",
            case_number=case.number or "",
        )
    return extension


def _agency_heads_of(case: Case) -> list:
    """The heads of the deciding agency (permissions.is_agency_head), who approve extensions."""
    users = User.objects.filter(
        assignments__role=StaffRole.AGENCY_HEAD, assignments__department_id=case.owning_department_id, is_active=True
    ).distinct()
    return list(users)


@case_service
def case_approve_extension(
    *, extension: ExtensionRequest, actor, approve: bool = True, note: str = "", ip: str | None = None
) -> ExtensionRequest:
    """The head of the deciding agency approves (延期告知书 to the applicant, decision limit + days) or
    refuses the extension; nobody else may (Art. 42: 经本行政机关负责人批准)."""
    extension = ExtensionRequest.objects.select_for_update().select_related("case").get(pk=extension.pk)
    case = extension.case
    if not permissions.can_approve_extension(case, actor):
        raise PermissionDenied(
            _("延期须经实施部门的机关负责人批准（行政许可法第四十二条），您不是该部门的机关负责人。")
        )
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
    unit = extension_cap(case)[1]
    context = {"extension": extension, "note": note, "officer": _officer(actor), "unit_label": unit_label(unit)}
    _issue_and_record(
        case, kind=DocumentKind.EXTENSION, event_kind=EventKind.EXTENSION_APPROVED, actor=actor,
        from_state="", note=f"批准延期{extension.days}个{unit_label(unit)}（{extension.basis}）。{note}",
        context=context, ip=ip,
    )  # fmt: skip
    notify_applicant(
        case,
        kind="case_extended",
        subject=f"延期告知：{case.title}",
        body=f"办件 {case.number} 经机关负责人批准延长办理期限{extension.days}个{unit_label(unit)}"
        f"（{extension.basis}），理由：{extension.reason}。",
    )
    return extension


def _supervisors_of(case: Case):
    """The supervisors who watch the case (permissions.is_supervisor): they see the extension."""
    region = case.owning_department.region
    users = User.objects.filter(
        assignments__role=StaffRole.SUPERVISOR, assignments__hall__region_id__in=[region.pk, region.parent_id]
    ).distinct()
    return [user for user in users if permissions.is_supervisor(case, user)]
