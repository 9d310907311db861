"""The result of a cross-county case goes back (全市通办, DOMAIN.md §4): for pickup at the receiving hall the
owning side sends it with a tracking number (`handoff_result_send`), the receiving hall's result window
confirms its arrival (`handoff_result_arrive`), and only then may it be handed out there
(`cases.selectors.result_available_at`)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from hall.constants import StaffRole

from .. import permissions
from ..constants import DECIDED_STATES, Carrier, EventKind, HandoffState, LegKind
from ..models import Case, Handoff, HandoffLeg
from ._common import add_working_days, case_service, event_record, save_case, today
from .handoff import (
    _clean_tracking,
    _leg,
    _locked_handoff,
    _name,
    _notify,
    _open_leg,
    _refresh_due,
    _refresh_plan,
    _require_clerk,
    _tally,
    notify_hall_staff,
    result_days,
)


def _owning_side_staff(case: Case, actor, handoff: Handoff) -> bool:
    halls = permissions.halls_with_role(actor, StaffRole.RESULT_CLERK) | permissions.halls_with_role(
        actor, StaffRole.WINDOW_CLERK
    )
    return handoff.owning_hall_id in halls or permissions.is_deciding_approver(case, actor)


@case_service
def handoff_result_send(
    *, case: Case, actor, tracking_number: str, carrier: str = Carrier.EMS, ip: str | None = None
) -> HandoffLeg:
    """The owning side sends the produced result to the receiving hall for pickup there, with tracking."""
    handoff = _locked_handoff(case)
    if not _owning_side_staff(case, actor, handoff):
        raise PermissionDenied(_("只有属地大厅或审批部门可以寄回办理结果。"))
    if case.state not in DECIDED_STATES:
        raise ValidationError(_("办件尚未作出决定，没有可寄回的结果。"), code="not_decided")
    _refresh_plan(case, handoff)
    if not handoff.result_return:
        raise ValidationError(_("申请人未选择在收件大厅领取，结果无需寄回。"), code="no_return")
    if handoff.legs.filter(kind=LegKind.RESULT).exists():
        raise ValidationError(_("办理结果已经寄出，不能重复寄出。"), code="already_sent")
    carrier, tracking = _clean_tracking(carrier or Carrier.EMS, tracking_number)
    if carrier == Carrier.NETWORK or not tracking:
        raise ValidationError(_("办理结果寄回须填写寄递单号。"), code="no_tracking_number")
    pickup = case.delivery_hall or case.receiving_hall
    leg = _leg(handoff, kind=LegKind.RESULT, from_hall=handoff.owning_hall, to_hall=pickup, carrier=carrier,
               tracking_number=tracking, actor=actor, due=add_working_days(today(), result_days()))  # fmt: skip
    handoff.state = HandoffState.RESULT_SENT
    _refresh_due(case, handoff)
    handoff.save()
    save_case(case)
    event_record(case=case, kind=EventKind.HANDOFF_RESULT_SENT, actor=actor,
                 note=f"办理结果寄往{pickup.name}（{leg.get_carrier_display()}，单号 {tracking}）", ip=ip)  # fmt: skip
    notify_hall_staff(
        case, pickup.pk, [StaffRole.RESULT_CLERK],
        subject=gettext_now("办理结果寄来：%(number)s") % {"number": case.number},
        body=gettext_now("%(hall)s寄来“%(title)s”的办理结果（办件编号 %(number)s，单号 %(tracking)s），到达后请确认。")
        % {"hall": handoff.owning_hall.name, "title": case.title, "number": case.number, "tracking": tracking},
    )  # fmt: skip
    _notify(case, handoff, kind="case_handoff_result_sent", subject=gettext_now("办理结果已寄往收件大厅"),
            what=gettext_now("办理结果已寄往您选择的领取大厅，到达后将另行通知您领取。"))  # fmt: skip
    return leg


@case_service
def handoff_result_arrive(*, case: Case, actor, ip: str | None = None) -> HandoffLeg:
    """The receiving hall's result window confirms the result arrived; from then on it may be handed out."""
    handoff = _locked_handoff(case)
    leg = _open_leg(handoff, LegKind.RESULT)
    if leg is None:
        raise ValidationError(_("办理结果尚未寄出。"), code="not_sent")
    _require_clerk(actor, leg.to_hall_id, roles=(StaffRole.RESULT_CLERK, StaffRole.WINDOW_CLERK))
    if leg.received_at is not None:
        raise ValidationError(
            _("办理结果已于%(when)s确认到达，不能重复确认。"),
            code="already_received",
            params={"when": f"{timezone.localtime(leg.received_at):%Y-%m-%d %H:%M}"},
        )
    leg.received_at = timezone.now()
    leg.received_by = actor
    leg.received_by_name = _name(actor)
    leg.save(update_fields=["received_at", "received_by", "received_by_name"])
    handoff.state = HandoffState.RESULT_ARRIVED
    case.custodian_hall = leg.to_hall
    _refresh_due(case, handoff)
    handoff.save()
    save_case(case)
    _tally(handoff, LegKind.RESULT, leg.transit_seconds)
    event_record(case=case, kind=EventKind.HANDOFF_RESULT_ARRIVED, actor=actor,
                 note=f"办理结果已到达{leg.to_hall.name}（单号 {leg.tracking_number}）", ip=ip)  # fmt: skip
    _notify(case, handoff, kind="case_handoff_result_arrived", subject=gettext_now("办理结果已到达，请前来领取"),
            what=gettext_now("办理结果已到达%(hall)s，请携带身份证件前来领取。") % {"hall": leg.to_hall.name})  # fmt: skip
    return leg
