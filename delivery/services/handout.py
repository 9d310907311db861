"""Delivering the result (送达, 行政许可法 Art. 44): pickup at the result window with the identity check
and the recipient's signature, post with carrier and tracking (delivered or returned), or electronic
(delivered when first downloaded or when the notice is read). Each way ends with a proof of delivery
(送达回证) that names the document, the recipient, the place and way, who delivered, the signature and
the date, and an agent's authority."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import permissions
from cases.constants import DeliveryMethod, DocumentKind, EventKind
from cases.documents import document_issue
from cases.selectors import result_available_at
from cases.services import event_record
from cases.services._common import case_service
from hall.constants import StaffRole
from hall.validators import normalise_identifier

from ..constants import TRACKING_PATTERNS, Carrier, OrderState, PostOutcome, RecipientKind
from ..models import DeliveryOrder, DeliveryProof
from ._common import deliver_units, notify, result_units, result_window_label
from .handover import announce_pickup
from .results import result_document


def _locked(order: DeliveryOrder) -> DeliveryOrder:
    return (
        DeliveryOrder.objects.select_for_update(of=("self",))
        .select_related("case__applicant", "case__enterprise", "case__receiving_hall", "hall")
        .get(pk=order.pk)
    )


def _refuse_if_delivered(order: DeliveryOrder) -> None:
    if order.state == OrderState.DELIVERED:
        raise ValidationError(_("该结果已经送达，不能重复送达。"), code="already_delivered")


def _check_result_clerk(order: DeliveryOrder, actor) -> None:
    if not permissions.is_result_clerk(order.case, actor) or order.hall_id not in permissions.halls_with_role(
        actor, StaffRole.RESULT_CLERK
    ):
        raise PermissionDenied(_("只有%(hall)s的出件窗口可以办理该结果的送达。") % {"hall": order.hall.name})


def _results_listed(order: DeliveryOrder) -> list[dict]:
    rows = []
    for unit in result_units(order.case):
        document = result_document(unit)
        rows.append({"title": unit.title, "number": unit.number, "document": document.number if document else ""})
    return rows


def _proof_issue(order: DeliveryOrder, *, actor, ip, **fields) -> DeliveryProof:
    """Write the 送达回证 (PDF through document_issue and its row), mark the order delivered and run the
    cases' `deliver` transition."""
    now = timezone.now()
    proof = DeliveryProof(order=order, method=order.method, delivered_by=actor, delivered_at=now, **fields)
    context = {"proof": proof, "order": order, "results": _results_listed(order)}
    proof.document = document_issue(case=order.case, kind=DocumentKind.DELIVERY_PROOF, actor=actor, context=context)
    proof.save()
    order.state, order.delivered_at = OrderState.DELIVERED, now
    order.save(update_fields=["state", "delivered_at", "post_outcome", "first_downloaded_at"])
    way = DeliveryMethod(order.method).label
    deliver_units(
        order.case, actor=actor, ip=ip, document=proof.document,
        note=f"{way}，签收人：{proof.recipient_name}（{RecipientKind(proof.recipient_kind).label}），{proof.place}",
    )  # fmt: skip
    return proof


def _entitled(order: DeliveryOrder, *, kind: str, name: str, id_number: str, authority: str) -> None:
    """The applicant (for an enterprise: its registered agent) in person, or an agent with written authority."""
    case = order.case
    applicant = case.applicant
    if kind == RecipientKind.APPLICANT:
        if id_number != (applicant.id_number or "").upper() or name != (applicant.real_name or "").strip():
            raise ValidationError(
                _("领取人的姓名或身份证号与申请人不一致，不能以申请人本人身份领取。"), code="not_entitled"
            )
        return
    if not authority:
        raise ValidationError(_("委托他人领取的，须查验并记录授权委托书。"), code="no_authority")
    if id_number in {(applicant.id_number or "").upper()}:
        raise ValidationError(_("申请人本人领取请选择“申请人本人”。"), code="agent_is_applicant")
    recorded = (case.agent_id_number or "").upper()
    if recorded and recorded != id_number:
        raise ValidationError(
            _("领取人不是申请时登记的代理人（%(name)s），不能代为领取。"),
            code="not_entitled",
            params={"name": case.agent_name},
        )


@case_service
def delivery_pickup(
    *,
    order: DeliveryOrder,
    actor,
    recipient_kind: str,
    recipient_name: str,
    recipient_id_number: str,
    identity_checked: bool,
    signature: str,
    signature_confirmed: bool,
    agent_authority: str = "",
    ip: str | None = None,
) -> DeliveryProof:
    """Hand the result(s) out at the window: identity checked, typed signature confirmed by the recipient,
    entitled recipient; issues the proof of delivery and closes the delivery clock."""
    order = _locked(order)
    _refuse_if_delivered(order)
    _check_result_clerk(order, actor)
    if order.state != OrderState.AT_WINDOW:
        raise ValidationError(_("结果尚未移交到出件窗口，暂不能领取。"), code="not_at_window")
    if not result_available_at(order.case, order.hall):
        raise ValidationError(_("结果尚未寄达本大厅，暂不能领取。"), code="not_arrived")
    if not identity_checked:
        raise ValidationError(_("请先当面核验领取人的身份证件。"), code="identity_unchecked")
    name = (recipient_name or "").strip()
    id_number = normalise_identifier(recipient_id_number)
    if not name or not id_number:
        raise ValidationError(_("请填写领取人的姓名和身份证号。"), code="recipient_missing")
    signature = (signature or "").strip()
    if not signature or not signature_confirmed:
        raise ValidationError(_("请领取人签名，并确认已收到办理结果。"), code="no_signature")
    if signature != name:
        raise ValidationError(_("签名须与领取人姓名一致。"), code="signature_mismatch")
    authority = (agent_authority or "").strip()
    if recipient_kind not in RecipientKind.values:
        raise ValidationError(_("请选择领取人身份。"), code="bad_kind")
    _entitled(order, kind=recipient_kind, name=name, id_number=id_number, authority=authority)
    proof = _proof_issue(
        order, actor=actor, ip=ip, place=result_window_label(order.hall), recipient_kind=recipient_kind,
        recipient_name=name, recipient_id_number=id_number, identity_checked=True,
        agent_authority=authority if recipient_kind == RecipientKind.AGENT else "", signature=signature,
    )  # fmt: skip
    notify(
        order.case,
        kind="result_delivered",
        subject=f"已领取：{order.case.title}",
        body=f"办件 {order.case.number} 的办理结果已由 {name} 于{order.hall.name}领取。送达回证可在办件详情中查看。",
    )
    return proof


def tracking_number_clean(carrier: str, tracking_number: str) -> str:
    number = normalise_identifier(tracking_number)
    pattern = TRACKING_PATTERNS.get(carrier)
    if pattern is None:
        raise ValidationError(_("请选择寄递企业。"), code="bad_carrier")
    if not pattern.match(number):
        raise ValidationError(
            _("运单号格式不正确：%(carrier)s的运单号应为%(hint)s。"),
            code="bad_tracking",
            params={"carrier": Carrier(carrier).label, "hint": TRACKING_HINTS[carrier]},
        )
    return number


TRACKING_HINTS = {
    Carrier.EMS: _("13位数字，或两个字母 + 9位数字 + 两个字母（如 EA123456789CN）"),
    Carrier.SF: _("SF加12至13位数字"),
    Carrier.OTHER: _("8至20位字母或数字"),
}


@case_service
def delivery_post(*, order: DeliveryOrder, actor, carrier: str, tracking_number: str, ip: str | None = None):
    """Send the result by post from the window: carrier and tracking number, the applicant is told."""
    order = _locked(order)
    _refuse_if_delivered(order)
    _check_result_clerk(order, actor)
    if order.method != DeliveryMethod.POST:
        raise ValidationError(_("申请人未选择邮寄送达。"), code="not_post")
    if order.state != OrderState.AT_WINDOW:
        raise ValidationError(_("结果尚未移交到出件窗口，或已经寄出。"), code="not_at_window")
    if order.returned_at is not None:
        raise ValidationError(_("邮件已被退回，请通知申请人到窗口领取。"), code="returned")
    number = tracking_number_clean(carrier, tracking_number)
    order.carrier, order.tracking_number, order.posted_at = carrier, number, timezone.now()
    order.state = OrderState.POSTED
    order.save(update_fields=["carrier", "tracking_number", "posted_at", "state"])
    label = Carrier(carrier).label
    event_record(case=order.case, kind=EventKind.RESULT_POSTED, actor=actor, note=f"{label} 运单号 {number}", ip=ip)
    notify(
        order.case,
        kind="result_posted",
        subject=f"已寄出，运单号 {number}：{order.case.title}",
        body=f"办件 {order.case.number} 的办理结果已通过{label}寄出，运单号 {number}，收件人 {order.recipient}。",
    )
    return order


@case_service
def delivery_post_outcome(
    *, order: DeliveryOrder, actor, outcome: str, signed_by: str = "", reason: str = "", ip: str | None = None
):
    """The post's outcome: delivered (proof of delivery, the case is delivered) or returned (the result goes
    back to the window, the applicant is told to collect it there)."""
    order = _locked(order)
    _refuse_if_delivered(order)
    _check_result_clerk(order, actor)
    if order.state != OrderState.POSTED:
        raise ValidationError(_("该结果尚未寄出。"), code="not_posted")
    if outcome == PostOutcome.DELIVERED:
        order.post_outcome = outcome
        recipient = (signed_by or "").strip() or order.recipient
        return _proof_issue(
            order, actor=actor, ip=ip, place=order.address, recipient_kind=RecipientKind.APPLICANT,
            recipient_name=recipient, signature=recipient,
            agent_authority=f"{Carrier(order.carrier).label} 运单号 {order.tracking_number} 妥投签收",
        )  # fmt: skip
    if outcome != PostOutcome.RETURNED:
        raise ValidationError(_("请选择投递结果。"), code="bad_outcome")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写退回原因。"), code="no_reason")
    order.post_outcome, order.returned_at, order.return_reason = outcome, timezone.now(), reason
    order.state = OrderState.AT_WINDOW
    order.save(update_fields=["post_outcome", "returned_at", "return_reason", "state"])
    event_record(case=order.case, kind=EventKind.RESULT_RETURNED, actor=actor, note=reason, ip=ip)
    announce_pickup(order, result_window_label(order.hall), returned=True)
    return order


@case_service
def delivery_electronic(*, order: DeliveryOrder, actor=None, how: str = "download", ip: str | None = None):
    """Electronic delivery counts from the first download by the applicant (actor) or, with actor None,
    from the notice being read. A second call changes nothing (returns None)."""
    order = _locked(order)
    if order.method != DeliveryMethod.ELECTRONIC or order.state not in (OrderState.AVAILABLE, OrderState.DELIVERED):
        raise ValidationError(_("该结果不是电子送达。"), code="not_electronic")
    if order.state == OrderState.DELIVERED:
        return None
    case = order.case
    if actor is not None and not (
        permissions.is_applicant(case, actor) or case.enterprise_id and case.enterprise.agent_id == actor.pk
    ):
        raise PermissionDenied(_("只有申请人可以下载办理结果。"))
    if actor is not None:
        order.first_downloaded_at = timezone.now()
    person = case.applicant.real_name or case.applicant_name
    place = "通办网上办事平台（首次下载）" if how == "download" else "通办网上办事平台（站内通知已读）"
    return _proof_issue(
        order, actor=actor, ip=ip, place=place, recipient_kind=RecipientKind.APPLICANT, recipient_name=person,
        signature="",
    )  # fmt: skip


def electronic_deliveries_by_notice() -> int:
    """Deliver every electronic result whose notice has been read (run by beat). Returns how many."""
    done = 0
    for order in DeliveryOrder.objects.filter(state=OrderState.AVAILABLE, notice__read_at__isnull=False).only("pk"):
        if delivery_electronic(order=order, actor=None, how="notice") is not None:
            done += 1
    return done
