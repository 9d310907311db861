"""Intake review (形式审查) by a window clerk: accept, ask for everything missing at once, refuse,
or accept with deferred materials; the applicant's supplement; and acceptance by operation of law
when the intake limit passes without a decision (行政许可法 Art. 32, DOMAIN.md §3)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hall.constants import StaffRole
from hall.models import User
from hall.notices import notice_queue
from items.models import Material

from ..clock import add_days, intake_due_for, intake_start
from ..constants import LAWSUIT_MONTHS, RECONSIDERATION_DAYS, CaseState, DefectKind, DocumentKind, EventKind
from ..documents import document_issue
from ..models import Case, DeferredMaterial, SubmittedMaterial, SupplementItem, SupplementRequest
from ._common import case_link, case_service, event_record, notify_applicant, run_transition, save_case, today
from .apply import _current_material_ids, completeness_check
from .bundle import bundle_follow
from .limits import intake_limit_text, intake_window_closed, promised_limit_text
from .receipt import receipt_issue


def default_appeal_rights(case: Case) -> str:
    department = case.owning_department
    government = f"{department.region.name}人民政府" if department is not None else "本级人民政府"
    return (
        f"如不服本决定，可自收到本决定书之日起{RECONSIDERATION_DAYS}日内向{government}申请行政复议，"
        f"或者自收到本决定书之日起{LAWSUIT_MONTHS}个月内依法向人民法院提起行政诉讼。"
    )


def promised_completion(case: Case, accepted_on: date) -> date:
    """The promised completion date if the case is accepted on `accepted_on`, in the unit of the
    item's limit (working days or calendar days); an instant item the same day."""
    version = case.item_version
    if version.case_kind == "instant":
        return accepted_on
    return add_days(accepted_on, version.promised_days, version.limit_unit)


def _acceptance_date(case: Case) -> date:
    """Art. 32: after a supplement, the acceptance date is the day the last material arrived; once
    the intake limit has passed, the application stands accepted on receipt, whatever the day of the
    clerk's decision."""
    if intake_window_closed(case, today()):
        return intake_start(case)
    return case.last_material_on or today()


def intake_window_error(case: Case) -> ValidationError:
    due = intake_due_for(case, intake_start(case))
    if case.accepted_by_law:
        message = _(
            "该申请已依法视为受理（行政许可法第三十二条：逾期不告知的，自收到申请材料之日起即为受理），"
            "不能再要求补正或者不予受理。"
        )
        return ValidationError(message, code="accepted_by_law")
    return ValidationError(
        _(
            "受理审查期限（收到申请材料之日起%(limit)s）已于%(due)s届满。根据行政许可法第三十二条，"
            "逾期不告知的，自收到申请材料之日起即为受理：不能再要求补正或者不予受理，请予以受理。"
        ),
        code="intake_window_closed",
        params={"limit": intake_limit_text(case.item_version), "due": f"{due:%Y-%m-%d}" if due else ""},
    )


def _issue_and_record(case, *, kind, event_kind, actor, from_state, note="", context=None, ip=None, changes=None):
    document = document_issue(case=case, kind=kind, actor=actor, context=context)
    event_record(
        case=case,
        kind=event_kind,
        actor=actor,
        from_state=from_state,
        to_state=case.state,
        note=note,
        changes=changes,
        ip=ip,
        document=document,
    )
    return document


def _officer(actor) -> str:
    return actor.real_name or actor.username


@case_service
def case_accept(*, case: Case, actor, note: str = "", ip: str | None = None) -> Case:
    """Accept a complete application (受理通知书). A second clerk doing the same at the same moment gets
    CaseAlreadyHandled."""
    check = completeness_check(case)
    if not check.complete:
        names = "、".join(m.name for m in check.missing_mandatory + check.missing_deferrable)
        raise ValidationError(
            _("材料不齐全（缺少：%(names)s），不能直接受理：请一次性告知补正，或对可容缺材料容缺受理。"),
            code="incomplete",
            params={"names": names},
        )
    from_state = case.state
    late = intake_window_closed(case, today())
    accepted_on = _acceptance_date(case)
    run_transition(case, "accept", actor)
    case.accepted_on = accepted_on
    save_case(case)
    context = {
        "officer": _officer(actor),
        "promised_on": promised_completion(case, case.accepted_on),
        "promised_limit": promised_limit_text(case.item_version),
        "instant": case.item_version.case_kind == "instant",
        "late": late,
        "note": note,
    }
    _issue_and_record(
        case, kind=DocumentKind.ACCEPTANCE, event_kind=EventKind.ACCEPTED, actor=actor, from_state=from_state,
        note=note, context=context, ip=ip,
    )  # fmt: skip
    notify_applicant(
        case,
        kind="case_accepted",
        subject=f"已受理：{case.title}",
        body=f"您的申请（办件编号 {case.number}）已于{case.accepted_on:%Y年%m月%d日}受理，"
        f"承诺于{context['promised_on']:%Y年%m月%d日}前办结。受理通知书可在办件详情中下载。",
    )
    bundle_follow(case)
    return case


def _supplement_lines(case: Case, items: list[dict]) -> list[SupplementItem]:
    if not items:
        raise ValidationError(_("请至少列出一项需要补正的材料。"), code="no_items")
    present = _current_material_ids(case)
    lines = []
    for entry in items:
        material: Material | None = entry.get("material")
        if material is not None and material.version_id != case.item_version_id:
            raise ValidationError(_("所选材料不属于该事项的办事指南。"), code="foreign_material")
        reason = (entry.get("reason") or "").strip()
        name = (entry.get("name") or (material.name if material else "")).strip()
        if not name or not reason:
            raise ValidationError(_("每一项补正都要写明材料名称和原因。"), code="no_reason")
        defect = entry.get("defect") or (
            DefectKind.DEFECTIVE if material is not None and material.pk in present else DefectKind.MISSING
        )
        lines.append(SupplementItem(material=material, name=name[:200], defect=defect, reason=reason))
    return lines


def _one_time_notice_check(case: Case, lines: list[SupplementItem]) -> None:
    """一次性告知: after a first request, a further request may only name a material the applicant
    handed in with a supplement (a new defect in a new file); anything else should have been in the
    first notice."""
    first = case.supplement_requests.order_by("requested_at", "pk").first()
    if first is None:
        return
    handed_in = set(
        SubmittedMaterial.objects.filter(
            case=case, uploaded_at__gt=first.requested_at, material__isnull=False
        ).values_list("material_id", flat=True)
    )
    late = [line.name for line in lines if line.material_id is None or line.material_id not in handed_in]
    if late:
        raise ValidationError(
            _(
                "“%(names)s”不是申请人随补正新提交的材料，应当在第一次补正告知中一并告知"
                "（一次性告知，行政许可法第三十二条）。再次补正只能针对补正时新提交的材料。"
            ),
            code="not_one_time",
            params={"names": "、".join(late)},
        )


@case_service
def case_request_supplement(
    *, case: Case, actor, items: list[dict], due: date, note: str = "", ip: str | None = None
) -> SupplementRequest:
    """一次性告知 (材料补正告知书): every missing or defective material in one notice, each with its reason
    (items: [{"material": Material | None, "name": str, "reason": str, "defect": DefectKind?}]),
    and the deadline."""
    if intake_window_closed(case, today()):
        raise intake_window_error(case)
    if due <= today():
        raise ValidationError(_("补正期限应晚于今天。"), code="past_due")
    lines = _supplement_lines(case, items)
    _one_time_notice_check(case, lines)
    from_state = case.state
    run_transition(case, "request_supplement", actor)
    case.supplement_due = due
    save_case(case)
    request = SupplementRequest.objects.create(case=case, requested_by=actor, due=due, note=note)
    for line in lines:
        line.request = request
    SupplementItem.objects.bulk_create(lines)
    context = {"lines": lines, "due": due, "note": note, "officer": _officer(actor)}
    changes = {"items": [{"name": li.name, "defect": li.defect, "reason": li.reason} for li in lines]}
    _issue_and_record(
        case, kind=DocumentKind.SUPPLEMENT, event_kind=EventKind.SUPPLEMENT_REQUESTED, actor=actor,
        from_state=from_state, note=note, context=context, ip=ip, changes=changes,
    )  # fmt: skip
    listing = "；".join(f"{li.name}（{li.reason}）" for li in lines)
    notify_applicant(
        case,
        kind="case_supplement_requested",
        subject=f"请补正材料：{case.title}",
        body=f"办件 {case.number} 需要补正以下材料：{listing}。请于{due:%Y年%m月%d日}前补齐。",
    )
    bundle_follow(case)
    return request


@case_service
def case_supplement(*, case: Case, actor, ip: str | None = None) -> Case:
    """The applicant (or a clerk at the counter) declares the supplement done, after uploading the files
    with case_attach_material. Every listed guide material must have a file newer than the request;
    the acceptance date will be the day the last of them arrived."""
    request = case.supplement_requests.filter(fulfilled_at__isnull=True).first()
    if request is None or case.state != CaseState.SUPPLEMENT_REQUESTED:
        raise ValidationError(_("该办件没有待补正的事项。"), code="nothing_to_supplement")
    listed = [line.material_id for line in request.items.all() if line.material_id]
    fresh = case.materials.filter(superseded=False, uploaded_at__gte=request.requested_at, material_id__in=listed)
    arrived = {m.material_id: m.uploaded_at for m in fresh}
    missing = [line.name for line in request.items.all() if line.material_id and line.material_id not in arrived]
    if missing:
        raise ValidationError(
            _("还需补正：%(names)s。请上传后再提交。"), code="incomplete", params={"names": "、".join(missing)}
        )
    latest = max(arrived.values(), default=timezone.now())
    from_state = case.state
    run_transition(case, "supplement", actor)
    request.fulfilled_at = timezone.now()
    request.save(update_fields=["fulfilled_at"])
    case.last_material_on = timezone.localdate(latest)
    case.supplement_due = None
    save_case(case)
    event_record(
        case=case,
        kind=EventKind.SUPPLEMENTED,
        actor=actor,
        from_state=from_state,
        to_state=case.state,
        note=f"材料补齐日：{case.last_material_on:%Y-%m-%d}",
        ip=ip,
    )
    receipt_issue(case=case, actor=actor, since=request.requested_at, ip=ip)
    notify_applicant(
        case,
        kind="case_supplemented",
        subject=f"补正材料已提交：{case.title}",
        body=f"办件 {case.number} 的补正材料已收到，窗口将尽快审查。",
    )
    bundle_follow(case)
    return case


@case_service
def case_refuse(
    *,
    case: Case,
    actor,
    reasons: str,
    competent_authority: str = "",
    appeal_rights: str = "",
    ip: str | None = None,
) -> Case:
    """不予受理决定书: the reasons, the competent authority if it is not this one, and appeal rights."""
    if intake_window_closed(case, today()):
        raise intake_window_error(case)
    if not (reasons or "").strip():
        raise ValidationError(_("请写明不予受理的理由。"), code="no_reason")
    from_state = case.state
    run_transition(case, "refuse", actor)
    case.outcome_reasons = reasons.strip()
    case.decided_at = timezone.now()
    case.supplement_due = None
    save_case(case)
    context = {
        "reasons": case.outcome_reasons,
        "competent_authority": competent_authority.strip(),
        "appeal_rights": (appeal_rights or "").strip() or default_appeal_rights(case),
        "officer": _officer(actor),
    }
    _issue_and_record(
        case, kind=DocumentKind.REFUSAL, event_kind=EventKind.REFUSED, actor=actor, from_state=from_state,
        note=case.outcome_reasons, context=context, ip=ip,
    )  # fmt: skip
    notify_applicant(
        case,
        kind="case_refused",
        subject=f"不予受理：{case.title}",
        body=f"办件 {case.number} 不予受理。理由：{case.outcome_reasons}。不予受理决定书可在办件详情中下载。",
    )
    bundle_follow(case)
    return case


@case_service
def case_accept_with_deferral(
    *,
    case: Case,
    actor,
    deferred_materials: list[Material],
    due: date,
    undertaking: str,
    ip: str | None = None,
) -> Case:
    """容缺受理通知书: accept with the listed materials deferred. Only materials the guide marks deferrable,
    every other mandatory material present, a deadline no later than the promised completion date, and
    the applicant's signed undertaking recorded. The decision can be granted only once all are in."""
    if not deferred_materials:
        raise ValidationError(_("请选择容缺的材料。"), code="no_materials")
    if not (undertaking or "").strip():
        raise ValidationError(_("容缺受理须有申请人签署的承诺书。"), code="no_undertaking")
    for material in deferred_materials:
        if material.version_id != case.item_version_id:
            raise ValidationError(_("所选材料不属于该事项的办事指南。"), code="foreign_material")
        if not material.deferrable:
            raise ValidationError(
                _("“%(name)s”不是可容缺材料，不能容缺受理。"), code="not_deferrable", params={"name": material.name}
            )
    check = completeness_check(case)
    deferred_ids = {m.pk for m in deferred_materials}
    still_missing = check.missing_mandatory + [m for m in check.missing_deferrable if m.pk not in deferred_ids]
    if still_missing:
        raise ValidationError(
            _("除容缺材料外还缺少：%(names)s，不能容缺受理。"),
            code="incomplete",
            params={"names": "、".join(m.name for m in still_missing)},
        )
    accepted_on = _acceptance_date(case)
    promised_on = promised_completion(case, accepted_on)
    if due <= today():
        raise ValidationError(_("补齐期限应晚于今天。"), code="past_due")
    if due > promised_on:
        raise ValidationError(
            _("补齐期限不得晚于承诺办结日期（%(date)s）。"),
            code="after_promised",
            params={"date": f"{promised_on:%Y-%m-%d}"},
        )
    from_state = case.state
    run_transition(case, "accept_with_deferral", actor)
    case.accepted_on = accepted_on
    case.deferred_due = due
    case.undertaking = undertaking.strip()
    case.undertaking_signed_at = timezone.now()
    save_case(case)
    DeferredMaterial.objects.bulk_create([DeferredMaterial(case=case, material=m, due=due) for m in deferred_materials])
    context = {
        "deferred": deferred_materials,
        "due": due,
        "promised_on": promised_on,
        "undertaking": case.undertaking,
        "officer": _officer(actor),
    }
    _issue_and_record(
        case, kind=DocumentKind.DEFERRAL, event_kind=EventKind.ACCEPTED_WITH_DEFERRAL, actor=actor,
        from_state=from_state, note=case.undertaking, context=context, ip=ip,
        changes={"deferred": [m.name for m in deferred_materials], "due": due.isoformat()},
    )  # fmt: skip
    notify_applicant(
        case,
        kind="case_accepted_with_deferral",
        subject=f"容缺受理：{case.title}",
        body=f"办件 {case.number} 已容缺受理。请于{due:%Y年%m月%d日}前补交："
        f"{'、'.join(m.name for m in deferred_materials)}；逾期未补齐的，将依法作出处理。",
    )
    bundle_follow(case)
    return case


def _intake_clerks(case: Case):
    hall_id = case.handed_to_hall_id or case.receiving_hall_id
    return User.objects.filter(
        assignments__role=StaffRole.WINDOW_CLERK, assignments__hall_id=hall_id, is_active=True
    ).distinct()


@case_service
def case_accept_by_law(*, case: Case, on: date | None = None) -> Case:
    """Acceptance by operation of law (行政许可法 Art. 32 ¶1 (4)): no decision on intake within the
    intake limit, so the application stands accepted on the day the materials were received (or the
    last supplement arrived). Run by the periodic scan, never by a person:
    1. only a submitted case whose intake limit ended before `on` (today);
    2. the system transition, acceptance date = receipt, so the decision clock runs from receipt;
    3. the acceptance notice saying it was accepted by law, an event by the system;
    4. the applicant and the intake clerks are told."""
    on = on or today()
    case = Case.objects.select_related("item_version", "receiving_hall", "owning_department__region").get(pk=case.pk)
    due = intake_due_for(case, intake_start(case))
    if case.state != CaseState.SUBMITTED or due is None or not on > due:
        raise ValidationError(_("受理审查期限尚未届满。"), code="not_due")
    from_state = case.state
    run_transition(case, "accept_by_law", None)
    case.accepted_on = intake_start(case)
    case.accepted_by_law = True
    save_case(case)
    context = {
        "deemed": True,
        "officer": "系统（依法视为受理）",
        "received_on": case.accepted_on,
        "intake_limit": intake_limit_text(case.item_version),
        "promised_on": promised_completion(case, case.accepted_on),
        "promised_limit": promised_limit_text(case.item_version),
        "instant": case.item_version.case_kind == "instant",
    }
    note = (
        f"受理审查期限已于{due:%Y年%m月%d日}届满，未作出决定：依法自收到申请材料之日"
        f"（{case.accepted_on:%Y年%m月%d日}）起即为受理（行政许可法第三十二条）。"
    )
    _issue_and_record(
        case, kind=DocumentKind.ACCEPTANCE, event_kind=EventKind.ACCEPTED_BY_LAW, actor=None,
        from_state=from_state, note=note, context=context,
    )  # fmt: skip
    notify_applicant(
        case,
        kind="case_accepted_by_law",
        subject=f"依法视为受理：{case.title}",
        body=f"您的申请（办件编号 {case.number}）在受理审查期限内未获答复，依法自收到申请材料之日"
        f"（{case.accepted_on:%Y年%m月%d日}）起即为受理，应于{context['promised_on']:%Y年%m月%d日}前办结。"
        "受理通知书可在办件详情中下载。",
    )
    for clerk in _intake_clerks(case):
        notice_queue(
            recipient=clerk,
            kind="case_accepted_by_law",
            subject=f"办件已依法视为受理：{case.number}",
            body=f"办件 {case.number}（{case.title}）的受理审查期限已于{due:%Y年%m月%d日}届满，"
            "依法自收到申请材料之日起即为受理，已不能再要求补正或不予受理，已转入审批。",
            link=case_link(case),
            case_number=case.number or "",
        )
    bundle_follow(case)
    return case
