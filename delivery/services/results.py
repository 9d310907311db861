"""Producing the result (制证, 行政许可法 Art. 39, 44) and keeping it in the e-certificate library.

A granted case gets a result document made from the item's result template (number, holder, scope,
validity, issuing body, seal area, QR code to public verification) and a Certificate row; for a
denied case the denial decision already issued is the result. When every result of what the applicant
follows is produced (all of a bundle's items: 一口出件), one delivery order is opened for them."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import permissions
from cases.constants import DECIDED_STATES, CaseState, DeliveryMethod, DocumentKind, EventKind
from cases.documents import document_issue
from cases.models import Case, CaseEvent, Document
from cases.numbering import next_in_sequence
from cases.services import event_record
from cases.services._common import case_service, today
from hall.crypto import blind_index

from ..constants import CertificateState, HolderKind, OrderState
from ..models import Certificate, DeliveryOrder
from ._common import notify, result_units, top_case


def holder_of(case: Case) -> tuple[str, str, str]:
    """(name, code, kind) of whom the certificate is issued to: the enterprise, else the applicant."""
    if case.enterprise_id:
        return case.enterprise.name, case.enterprise.credit_code, HolderKind.CREDIT_CODE
    return case.applicant.real_name or case.applicant_name, case.applicant.id_number or "", HolderKind.ID_NUMBER


def is_produced(case: Case) -> bool:
    return CaseEvent.objects.filter(case=case, kind=EventKind.RESULT_PRODUCED).exists()


def result_document(case: Case) -> Document | None:
    """The result of one single-item case: its certificate's PDF, else the denial decision."""
    current = Document.objects.filter(case=case, superseded_by__isnull=True).order_by("-issued_at", "-pk")
    return current.filter(kind=DocumentKind.RESULT).first() or current.filter(kind=DocumentKind.DENIAL).first()


def _certificate_number(case: Case, day: dt.date) -> str:
    """Region code of the issuing department + year + 7-digit yearly sequence, e.g. 44170220260000001."""
    region = case.owning_department.region.code if case.owning_department_id else "000000"
    sequence = next_in_sequence(f"certificate:{region}:{day.year}")
    return f"{region}{day.year}{sequence:07d}"


@case_service
def result_produce(
    *,
    case: Case,
    actor,
    scope: str = "",
    valid_until: dt.date | None = None,
    ip: str | None = None,
) -> DeliveryOrder | None:
    """Produce the result of one decided case (the deciding department). Returns the delivery order once
    every result of what the applicant follows is produced, else None (a bundle still waiting).

    1. Refuse a case not yet decided, already produced, whose grant was revoked, or not the actor's
       department's.
    2. Granted: number the certificate, issue the result PDF through cases.documents.document_issue,
       keep the Certificate (earlier valid certificates of the same kind and holder become 被替代).
       Denied: the denial decision is the result.
    3. Record the event; open the delivery order when the last result is in (see _order_open)."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related(
            "item_version__item__base_item", "owning_department__region", "applicant", "enterprise", "parent"
        )
        .get(pk=case.pk)
    )
    if case.is_bundle_parent:
        raise ValidationError(_("请分别为一件事中的每个事项制证。"), code="bundle_parent")
    if case.state not in DECIDED_STATES:
        raise ValidationError(_("该办件尚未作出决定，不能制证。"), code="not_decided")
    if not permissions.is_deciding_approver(case, actor):
        raise PermissionDenied(_("只有作出决定的部门可以制作审批结果。"))
    if is_produced(case):
        raise ValidationError(_("该办件的结果已经制作，不能重复制证。"), code="already_produced")
    if case.events.filter(kind=EventKind.GRANT_REVOKED).exists():  # 撤销行政许可 (Art. 69): nothing to issue
        raise ValidationError(_("准予许可决定已被撤销，不能制证。"), code="grant_revoked")
    if valid_until is not None and valid_until <= today():
        raise ValidationError(_("有效期截止日期应晚于今天。"), code="bad_validity")
    if case.state == CaseState.APPROVED:
        certificate = _certificate_issue(case=case, actor=actor, scope=scope, valid_until=valid_until)
        document, note = certificate.document, f"{certificate.type_name} {certificate.number}"
    else:
        document = result_document(case)
        note = "不予许可决定书即为办理结果"
    event_record(case=case, kind=EventKind.RESULT_PRODUCED, actor=actor, note=note, document=document, ip=ip)
    return _order_open(top_case(case), actor=actor, ip=ip)


def _certificate_issue(*, case: Case, actor, scope: str, valid_until: dt.date | None) -> Certificate:
    issued_on = today()
    holder_name, holder_code, holder_kind = holder_of(case)
    version = case.item_version
    department = case.owning_department
    number = _certificate_number(case, issued_on)
    scope = (scope or "").strip() or (case.form_data or {}).get("description", "") or version.name
    details = {
        "number": number,
        "type_name": version.result_name,
        "holder_name": holder_name,
        "holder_code": holder_code,
        "holder_kind": HolderKind(holder_kind).label,
        "scope": scope,
        "valid_from": issued_on,
        "valid_until": valid_until,
        "issuer_code": department.credit_code if department else "",
    }
    document = document_issue(
        case=case, kind=DocumentKind.RESULT, actor=actor, context={"certificate": details}, on=issued_on
    )
    previous = (
        Certificate.objects.select_for_update()
        .filter(holder_code_index=blind_index(holder_code), type_name=version.result_name, state=CertificateState.VALID)
        .order_by("-issued_on", "-pk")
    )
    previous = list(previous)
    certificate = Certificate.objects.create(
        number=number,
        type_name=version.result_name,
        type_code=version.item.base_item.base_code,
        holder_name=holder_name,
        holder_code=holder_code,
        holder_kind=holder_kind,
        issuer_name=document.issuer_name,
        issuer_code=details["issuer_code"],
        issued_on=issued_on,
        valid_from=issued_on,
        valid_until=valid_until,
        scope=scope,
        case=case,
        document=document,
        supersedes=previous[0] if previous else None,
    )
    for old in previous:
        old.state, old.state_changed_at = CertificateState.SUPERSEDED, timezone.now()
        old.save(update_fields=["state", "state_changed_at"])
    return certificate


def _order_hall(top: Case, method: str):
    """The hall whose result window hands out or sends the result: for pickup the hall the applicant chose;
    otherwise the side that holds the result. A cross-county case handed to the owning county (全市通办,
    异地代收) is produced there, so the owning hall posts it straight to the applicant instead of first
    sending it back to the hall that received the application."""
    if method == DeliveryMethod.PICKUP and top.delivery_hall_id:
        return top.delivery_hall
    if method == DeliveryMethod.POST and top.handed_to_hall_id:
        return top.handed_to_hall
    return top.receiving_hall


def _order_open(top: Case, *, actor, ip: str | None) -> DeliveryOrder | None:
    """Open the delivery order when every result of `top` is produced: electronic results are downloadable
    at once (the notice says so), paper ones wait for the hand-over to the result window."""
    units = result_units(top)
    if any(unit.state not in DECIDED_STATES or not is_produced(unit) for unit in units):
        return None
    if DeliveryOrder.objects.filter(case=top).exists():
        return None
    method = top.delivery_method or DeliveryMethod.PICKUP
    hall = _order_hall(top, method)
    order = DeliveryOrder(
        case=top,
        method=method,
        hall=hall,
        address=top.delivery_address,
        recipient=top.delivery_recipient,
        mobile=top.delivery_mobile,
        produced_by=actor,
        due=max((unit.delivery_due for unit in units if unit.delivery_due), default=None),
    )
    if method == DeliveryMethod.ELECTRONIC:
        order.state = OrderState.AVAILABLE
        order.notice = notify(
            top,
            kind="result_electronic",
            subject=f"办理结果可下载：{top.title}",
            body=f"办件 {top.number} 的办理结果已电子送达，请在办件详情中下载。下载或阅读本通知即视为送达。",
        )
    order.save()
    return order
