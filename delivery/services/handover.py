"""The back office hands produced results to a hall's result window (DOMAIN.md §3 step 4): signed on
both sides, with who, when and how many; the window counts them in before it may hand them out."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import permissions
from cases.constants import DeliveryMethod, EventKind
from cases.selectors import result_available_at
from cases.services import event_record
from cases.services._common import case_service
from hall.constants import StaffRole

from ..constants import OrderState
from ..models import DeliveryOrder, ResultHandover
from ._common import notify, result_units, result_window_label


def _check_signature(actor, signature: str) -> str:
    signature = (signature or "").strip()
    if not signature:
        raise ValidationError(_("请签署您的姓名。"), code="no_signature")
    if signature != (actor.real_name or "").strip():
        raise ValidationError(_("签名须与您登记的姓名一致。"), code="signature_mismatch")
    return signature


def _department_for(actor, order: DeliveryOrder):
    """The actor's department that decided (one of) the order's results."""
    for unit in result_units(order.case):
        if permissions.is_deciding_approver(unit, actor):
            return unit.owning_department
    return None


@case_service
def result_handover(*, orders: list[DeliveryOrder], actor, signature: str, ip: str | None = None) -> ResultHandover:
    """Hand produced paper results to the result window of their hall, in one signed batch."""
    if not orders:
        raise ValidationError(_("请选择要移交的结果。"), code="nothing_selected")
    signature = _check_signature(actor, signature)
    locked = list(
        DeliveryOrder.objects.select_for_update(of=("self",))
        .select_related("case", "hall")
        .filter(pk__in=[o.pk for o in orders])
    )
    halls = {order.hall_id for order in locked}
    if len(halls) != 1:
        raise ValidationError(_("一次交接只能移交给同一个大厅的出件窗口。"), code="several_halls")
    for order in locked:
        if order.state != OrderState.PRODUCED:
            raise ValidationError(
                _("办件 %(number)s 的结果已移交或已送达。"), code="already_handed", params={"number": order.case.number}
            )
    departments = {_department_for(actor, order) for order in locked}
    if None in departments:
        raise PermissionDenied(_("只能移交本部门作出决定的结果。"))
    handover = ResultHandover.objects.create(
        department=next(iter(departments)),
        hall=locked[0].hall,
        handed_by=actor,
        handed_by_signature=signature,
        count=len(locked),
    )
    for order in locked:
        order.state, order.handover = OrderState.HANDED, handover
        order.save(update_fields=["state", "handover"])
        event_record(
            case=order.case, kind=EventKind.RESULT_HANDED_OVER, actor=actor, ip=ip,
            note=f"移交{handover.hall.name}出件窗口（本批共{handover.count}件），移交人签名：{signature}",
        )  # fmt: skip
    return handover


@case_service
def result_handover_receive(
    *, handover: ResultHandover, actor, signature: str, count: int, ip: str | None = None
) -> ResultHandover:
    """The result window counts the batch in and signs; pickup results are announced to the applicants."""
    handover = ResultHandover.objects.select_for_update(of=("self",)).select_related("hall").get(pk=handover.pk)
    if handover.hall_id not in permissions.halls_with_role(actor, StaffRole.RESULT_CLERK):
        raise PermissionDenied(_("只有接收大厅的出件窗口可以签收。"))
    if handover.received_at is not None:
        raise ValidationError(_("该批结果已经签收。"), code="already_received")
    signature = _check_signature(actor, signature)
    if count != handover.count:
        raise ValidationError(
            _("清点件数（%(count)s）与移交件数（%(expected)s）不符，请与移交部门核对后再签收。"),
            code="count_mismatch",
            params={"count": count, "expected": handover.count},
        )
    handover.received_by, handover.received_by_signature = actor, signature
    handover.received_at, handover.received_count = timezone.now(), count
    handover.save(update_fields=["received_by", "received_by_signature", "received_at", "received_count"])
    place = result_window_label(handover.hall)
    for order in handover.orders.select_related("case__applicant", "case__receiving_hall").select_for_update(
        of=("self",)
    ):
        order.state = OrderState.AT_WINDOW
        order.save(update_fields=["state"])
        event_record(
            case=order.case, kind=EventKind.RESULT_RECEIVED, actor=actor, ip=ip,
            note=f"{place}签收结果，接收人签名：{signature}",
        )  # fmt: skip
        if order.method == DeliveryMethod.PICKUP and result_available_at(order.case, order.hall):
            announce_pickup(order, place)
    return handover


def announce_pickup(order: DeliveryOrder, place: str, *, returned: bool = False) -> None:
    case = order.case
    lead = "寄出的结果被退回。" if returned else ""
    notify(
        case,
        kind="result_ready",
        subject=f"请到{place}领取：{case.title}",
        body=f"{lead}办件 {case.number} 的办理结果已到出件窗口，请到 {place} 领取。"
        "请携带本人身份证件；委托他人领取的，受托人须携带授权委托书和本人身份证件。",
    )
