"""Cross-county hand-off (全市通办, DOMAIN.md §4; 国办发〔2020〕35号): apply at any hall of the city, decided
where the item belongs.

1. Receipt: a hall of another county receives the application in the mode the item sets for that hall
   (`receiving_mode`): 代为受理 (accept on the owner's behalf) or 代收转交 (receive, check form and identity,
   scan, forward). The hand-off opens with the owner of each stage and each side's archive duty.
2. Forwarding (`handoff_forward`): the electronic file goes to the owning hall at once, the paper originals
   by post or courier with a tracking number, within the configured working days of receipt.
3. Receipt by the owner (`handoff_receive`): the electronic file on confirmation (custody passes to the owner,
   who may then accept, ask for a supplement or refuse), the paper originals when they arrive (tracking
   number checked). Each leg is confirmed once.
4. Supplements handed in at the receiving hall are forwarded on (`handoff_supplement_forward`).
5. The result, for pickup at the receiving hall, is sent back with tracking and its arrival confirmed
   by the receiving hall: services/handoff_result.py.
The Art. 32 intake clock runs from the receiving hall's receipt: the case's `received_at` never moves.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from hall.constants import StaffRole
from hall.models import Hall, User
from hall.notices import NoticeDraft, notice_queue_many
from items.constants import CrossAreaMode
from items.models import Item

from .. import permissions
from ..constants import Carrier, CaseState, EventKind, HandoffSide, HandoffState, LegKind
from ..handoff_selectors import result_returns
from ..models import Case, Handoff, HandoffLeg, HandoffTally
from ._common import add_working_days, case_service, event_record, notify_applicant, save_case, today

# Transit buckets of the figures, in hours (the last catches everything longer).
TRANSIT_BUCKETS = [4, 8, 24, 48, 72, 120, 168, 240, 480, 100000]
TALLY_HANDOFFS = "handoff"


def forward_days() -> int:
    return int(getattr(settings, "TONGBAN_HANDOFF_FORWARD_DAYS", 1))


def paper_days() -> int:
    return int(getattr(settings, "TONGBAN_HANDOFF_PAPER_DAYS", 3))


def result_days() -> int:
    return int(getattr(settings, "TONGBAN_HANDOFF_RESULT_DAYS", 3))


# ---------------------------------------------------------------- who does what


def receiving_mode(version, hall: Hall) -> str:
    """How `hall` may handle an application for `version`: "" in the owning county, else the mode the
    implementation sets for that hall (ItemVersion.hall_modes by hall code), else its general mode."""
    return version.mode_for(hall)


def owning_halls(case: Case):
    """The halls of the county that owns the item (where a hand-off may go): a lazy query, with the item's
    county as a subquery (a page that does not show the halls reads neither)."""
    region = Item.objects.filter(pk=case.item_version.item_id).values("region_id")
    return Hall.objects.filter(region_id=Subquery(region)).order_by("code")


def _name(user) -> str:
    return (user.real_name or user.username) if user is not None else gettext_now("系统")


def _stage_owners(case: Case, handoff: Handoff) -> dict:
    receiving, owning = handoff.receiving_hall.name, handoff.owning_hall.name
    department = case.owning_department.name if case.owning_department_id else owning
    accept_side = HandoffSide.RECEIVING if handoff.mode == CrossAreaMode.ACCEPT else HandoffSide.OWNING
    deliver_side = HandoffSide.RECEIVING if handoff.result_return else HandoffSide.OWNING
    pickup = (case.delivery_hall or case.receiving_hall).name if handoff.result_return else owning

    def owner(side, name):
        return {"side": str(side), "name": name}

    return {
        "receive": owner(HandoffSide.RECEIVING, receiving),
        "accept": owner(accept_side, receiving if accept_side == HandoffSide.RECEIVING else owning),
        "decide": owner(HandoffSide.OWNING, department),
        "produce": owner(HandoffSide.OWNING, department),
        "deliver": owner(deliver_side, pickup),
        "archive": owner("both", f"{receiving} / {owning}"),
    }


def _archive_duties(handoff: Handoff) -> tuple[str, str]:
    """(receiving side, owning side): who keeps what of the file (DOMAIN.md §4)."""
    receiving = gettext_now("收件登记、身份核验记录、材料扫描件、转交及寄递回执")
    owning = gettext_now("完整电子案卷和纸质原件、受理及审批文书、制证记录")
    if handoff.result_return:
        receiving += gettext_now("；结果到达记录和送达回证（签收后将原件寄属地归档）")
    else:
        owning += gettext_now("；送达回证")
    return receiving, owning


def _refresh_plan(case: Case, handoff: Handoff) -> None:
    handoff.result_return = result_returns(case, handoff)
    handoff.stage_owners = _stage_owners(case, handoff)
    handoff.receiving_archive, handoff.owning_archive = _archive_duties(handoff)


def _refresh_due(case: Case, handoff: Handoff) -> None:
    """The earliest open deadline of the hand-off, on the hand-off (figures) and on the case (the SLA
    scan warns through the case's clock)."""
    dues = [leg.due for leg in handoff.legs.all() if leg.received_at is None]
    if handoff.state == HandoffState.AWAITING_FORWARD:
        dues.append(handoff.forward_due)
    handoff.next_due = min(dues, default=None)
    case.handoff_due = handoff.next_due


def _tally(handoff: Handoff, kind: str, seconds: int | None = None) -> None:
    """Count one hand-off (seconds None) or one leg's transit time in the pair's figures."""
    bucket = 0
    if seconds is not None:
        hours = seconds / 3600
        bucket = next(limit for limit in TRANSIT_BUCKETS if hours <= limit or limit == TRANSIT_BUCKETS[-1])
    key = {
        "receiving_region_id": handoff.receiving_region_id,
        "owning_region_id": handoff.owning_region_id,
        "kind": kind,
        "bucket": bucket,
    }
    add = {"count": F("count") + 1, "total_seconds": F("total_seconds") + (seconds or 0)}
    if HandoffTally.objects.filter(**key).update(**add):
        return
    try:
        with transaction.atomic():
            HandoffTally.objects.create(**key, count=1, total_seconds=seconds or 0)
    except IntegrityError:  # another hand-off created the row meanwhile
        HandoffTally.objects.filter(**key).update(**add)


def _locked_handoff(case: Case) -> Handoff:
    handoff = (
        Handoff.objects.select_for_update(of=("self",))
        .select_related("receiving_hall", "owning_hall")
        .filter(case=case)
        .first()
    )
    if handoff is None:
        raise ValidationError(_("该办件不是异地收件，没有通办移交。"), code="no_handoff")
    return handoff


def _require_clerk(actor, hall_id: int, roles=(StaffRole.WINDOW_CLERK,)) -> None:
    if not any(hall_id in permissions.halls_with_role(actor, role) for role in roles):
        raise PermissionDenied(_("您不是负责这一环节的大厅工作人员。"))


def _notify(case: Case, handoff: Handoff, *, kind: str, subject: str, what: str) -> None:
    """Every notice names both halls (the applicant came to one, the other decides)."""
    body = gettext_now("办件 %(number)s（%(title)s）：%(what)s 收件大厅：%(receiving)s；属地受理大厅：%(owning)s。") % {
        "number": case.number,
        "title": case.title,
        "what": what,
        "receiving": handoff.receiving_hall.name,
        "owning": handoff.owning_hall.name,
    }
    notify_applicant(case, kind=kind, subject=subject, body=body)


def notify_hall_staff(case: Case, hall_id: int, roles, *, subject: str, body: str) -> None:
    """Tell the staff of the hall whose turn it is (incoming file, result on its way), in one write."""
    users = User.objects.filter(
        is_active=True, assignments__hall_id=hall_id, assignments__role__in=list(roles)
    ).distinct()
    link = _handoff_link(case)
    notice_queue_many(
        [NoticeDraft(user, "handoff", subject, body, link, case.number or "") for user in users.order_by("pk")]
    )


def _handoff_link(case: Case) -> str:
    try:
        return reverse("cases:handoff", args=[case.pk])
    except NoReverseMatch:
        return ""


# ---------------------------------------------------------------- receipt


def handoff_open(*, case: Case, actor, ip: str | None = None) -> Handoff | None:
    """At receipt (inside the receiving service's transaction): a case received outside the owning county
    gets its hand-off, custody at the receiving hall and the forwarding deadline. Nothing for a case
    received in the owning county or a bundle's parent."""
    if not case.item_version_id or Handoff.objects.filter(case=case).exists():
        return None
    mode = receiving_mode(case.item_version, case.receiving_hall)
    if not mode:
        return None
    owning = owning_halls(case).first()
    if owning is None:
        raise ValidationError(_("该事项所属县区没有政务服务大厅，不能异地收件。"), code="no_owning_hall")
    received_at = case.received_at or timezone.now()
    handoff = Handoff(
        case=case,
        mode=mode,
        receiving_hall=case.receiving_hall,
        owning_hall=owning,
        receiving_region_id=case.receiving_hall.region_id,
        owning_region_id=owning.region_id,
        received_at=received_at,
        received_by=actor if actor is not None and not permissions.is_applicant(case, actor) else None,
        forward_due=add_working_days(timezone.localdate(received_at), forward_days()),
    )
    _refresh_plan(case, handoff)
    handoff.save()
    case.cross_area_mode = mode
    case.custodian_hall = case.receiving_hall
    _refresh_due(case, handoff)
    handoff.save(update_fields=["next_due"])
    save_case(case)
    _tally(handoff, TALLY_HANDOFFS)
    mode_label = CrossAreaMode(mode).label
    event_record(
        case=case,
        kind=EventKind.HANDOFF_OPENED,
        actor=actor,
        note=f"{handoff.receiving_hall.name}异地收件（{mode_label}），属地：{owning.name}",
        ip=ip,
    )
    return handoff


# ---------------------------------------------------------------- forwarding


def _leg(handoff, *, kind, from_hall, to_hall, carrier, tracking_number, actor, due, note="") -> HandoffLeg:
    return HandoffLeg.objects.create(
        handoff=handoff,
        kind=kind,
        from_hall=from_hall,
        to_hall=to_hall,
        carrier=carrier,
        tracking_number=tracking_number,
        sent_at=timezone.now(),
        sent_by=actor,
        sent_by_name=_name(actor),
        due=due,
        note=note[:200],
    )


def _clean_tracking(carrier: str, tracking_number: str) -> tuple[str, str]:
    carrier, tracking_number = (carrier or "").strip(), "".join((tracking_number or "").split()).upper()
    if carrier and carrier not in Carrier.values:
        raise ValidationError(_("请选择寄递方式。"), code="bad_carrier")
    if carrier and carrier != Carrier.NETWORK and not tracking_number:
        raise ValidationError(_("纸质材料寄递须填写寄递单号。"), code="no_tracking_number")
    if len(tracking_number) > 40:
        raise ValidationError(_("寄递单号过长，请核对。"), code="bad_tracking_number")
    return carrier, tracking_number


@case_service
def handoff_forward(
    *,
    case: Case,
    actor,
    to_hall: Hall | None = None,
    paper_carrier: str = "",
    paper_tracking: str = "",
    note: str = "",
    ip: str | None = None,
) -> Handoff:
    """The receiving hall forwards the application: the electronic file at once, the paper originals (if
    any) by post or courier with a tracking number. Only to a hall of the county that owns the item."""
    handoff = _locked_handoff(case)
    _require_clerk(actor, handoff.receiving_hall_id)
    if handoff.state != HandoffState.AWAITING_FORWARD:
        raise ValidationError(_("该办件已经转交，不能重复转交。"), code="already_forwarded")
    if not may_forward_now(case, handoff):
        raise ValidationError(
            _("该办件当前状态为“%(state)s”，不能转交。"),
            code="invalid_transition",
            params={"state": case.get_state_display()},
        )
    to_hall = to_hall or handoff.owning_hall
    if to_hall.region_id != handoff.owning_region_id:
        raise ValidationError(
            _("“%(hall)s”不是该事项的属地大厅，只能转交给%(region)s的大厅。"),
            code="not_owning_hall",
            params={"hall": to_hall.name, "region": case.item_version.item.region.name},
        )
    carrier, tracking = _clean_tracking(paper_carrier, paper_tracking)
    if carrier == Carrier.NETWORK:
        raise ValidationError(_("纸质原件须寄递或专车送达，请选择寄递方式。"), code="paper_by_network")
    if tracking and not carrier:
        raise ValidationError(_("请选择纸质材料的寄递方式。"), code="no_carrier")
    handoff.owning_hall = to_hall
    handoff.state = HandoffState.FORWARDED
    handoff.forwarded_at = timezone.now()
    _refresh_plan(case, handoff)
    common = {"from_hall": handoff.receiving_hall, "to_hall": to_hall, "actor": actor}
    _leg(handoff, kind=LegKind.ELECTRONIC, carrier=Carrier.NETWORK, tracking_number="",
         due=add_working_days(today(), forward_days()), note=note, **common)  # fmt: skip
    if carrier:
        _leg(handoff, kind=LegKind.PAPER, carrier=carrier, tracking_number=tracking,
             due=add_working_days(today(), paper_days()), **common)  # fmt: skip
    case.handed_to_hall = to_hall
    _refresh_due(case, handoff)
    handoff.save()
    save_case(case)
    paper = f"；纸质原件{Carrier(carrier).label}，单号 {tracking}" if carrier else ""
    event_record(
        case=case,
        kind=EventKind.HANDOFF_FORWARDED,
        actor=actor,
        note=f"转交{to_hall.name}：电子材料即时流转{paper}",
        ip=ip,
    )
    notify_hall_staff(
        case, to_hall.pk, [StaffRole.WINDOW_CLERK],
        subject=gettext_now("收到转交办件：%(number)s") % {"number": case.number},
        body=gettext_now("%(hall)s转交“%(title)s”（办件编号 %(number)s），请确认接收后受理审查。")
        % {"hall": handoff.receiving_hall.name, "title": case.title, "number": case.number},
    )  # fmt: skip
    _notify(case, handoff, kind="case_handoff_forwarded", subject=gettext_now("申请已转交属地办理"),
            what=gettext_now("您的申请已由收件大厅转交属地大厅办理。"))  # fmt: skip
    return handoff


def may_forward_now(case: Case, handoff: Handoff) -> bool:
    """异地代收 forwards before the intake review (or after an acceptance by law, Art. 32, when the review
    ran late: the file must still reach the owner); 代为受理 forwards once it has accepted."""
    if handoff.state != HandoffState.AWAITING_FORWARD:
        return False
    if handoff.mode == CrossAreaMode.RECEIVE_FORWARD:
        return case.state == CaseState.SUBMITTED or (
            case.state == CaseState.ACCEPTED and getattr(case, "accepted_by_law", False)
        )
    return case.state == CaseState.ACCEPTED


def _open_leg(handoff: Handoff, kind: str) -> HandoffLeg | None:
    return handoff.legs.filter(kind=kind).order_by("-sent_at", "-pk").first()


@case_service
def handoff_receive(
    *, case: Case, actor, leg_kind: str = LegKind.ELECTRONIC, tracking_number: str = "", ip: str | None = None
) -> HandoffLeg:
    """The owning hall confirms receipt: the electronic file (custody passes to it; it may then accept, ask
    for a supplement or refuse), or the paper originals / a forwarded supplement when they arrive, by
    their tracking number. A leg is confirmed once."""
    handoff = _locked_handoff(case)
    _require_clerk(actor, handoff.owning_hall_id)
    if leg_kind not in (LegKind.ELECTRONIC, LegKind.PAPER, LegKind.SUPPLEMENT):
        raise ValidationError(_("请选择要确认接收的材料。"), code="bad_leg")
    leg = _open_leg(handoff, leg_kind)
    if leg is None:
        raise ValidationError(_("没有待接收的%(what)s。"), code="no_leg", params={"what": LegKind(leg_kind).label})
    if leg.received_at is not None:
        raise ValidationError(
            _("%(what)s已于%(when)s由%(who)s确认接收，不能重复确认。"),
            code="already_received",
            params={"what": leg.get_kind_display(), "when": f"{timezone.localtime(leg.received_at):%Y-%m-%d %H:%M}",
                    "who": leg.received_by_name},
        )  # fmt: skip
    if leg.carrier != Carrier.NETWORK:
        typed = "".join((tracking_number or "").split()).upper()
        if not typed:
            raise ValidationError(_("请填写（扫描）所收邮件的寄递单号。"), code="no_tracking_number")
        if typed != leg.tracking_number:
            raise ValidationError(
                _("寄递单号与转出时登记的（%(number)s）不一致，请核对所收邮件。"),
                code="tracking_mismatch",
                params={"number": leg.tracking_number},
            )
    leg.received_at = timezone.now()
    leg.received_by = actor
    leg.received_by_name = _name(actor)
    leg.save(update_fields=["received_at", "received_by", "received_by_name"])
    if leg_kind == LegKind.ELECTRONIC:
        handoff.state = HandoffState.RECEIVED
        handoff.owner_received_at = leg.received_at
        case.custodian_hall = handoff.owning_hall
        _refresh_plan(case, handoff)  # the delivery choice may have changed since receipt
    _refresh_due(case, handoff)
    handoff.save()
    save_case(case)
    _tally(handoff, leg_kind, leg.transit_seconds)
    kind = EventKind.HANDOFF_RECEIVED if leg_kind == LegKind.ELECTRONIC else EventKind.HANDOFF_PAPER_RECEIVED
    number = f"，单号 {leg.tracking_number}" if leg.tracking_number else ""
    event_record(
        case=case,
        kind=kind,
        actor=actor,
        note=f"{handoff.owning_hall.name}已接收{leg.get_kind_display()}{number}",
        ip=ip,
    )
    if leg_kind == LegKind.ELECTRONIC:
        _notify(case, handoff, kind="case_handoff_received", subject=gettext_now("属地大厅已接收您的申请"),
                what=gettext_now("属地大厅已接收您的申请材料，将进行受理审查。"))  # fmt: skip
    return leg


@case_service
def handoff_supplement_forward(
    *, case: Case, actor, carrier: str = Carrier.NETWORK, tracking_number: str = "", ip: str | None = None
) -> HandoffLeg:
    """The applicant handed the supplement in at the receiving hall (the clerk uploaded the files): the
    supplement is recorded (the case goes back to the owner's intake review) and forwarded on. If the
    clerk already recorded it on the supplement page, only the forwarding is recorded."""
    from .intake import case_supplement  # intake imports apply, which opens hand-offs: import at call time

    handoff = _locked_handoff(case)
    _require_clerk(actor, handoff.receiving_hall_id)
    if handoff.mode != CrossAreaMode.RECEIVE_FORWARD or handoff.state == HandoffState.AWAITING_FORWARD:
        raise ValidationError(_("该办件没有转交属地，补正材料请在本大厅审查。"), code="not_forwarded")
    carrier, tracking = _clean_tracking(carrier or Carrier.NETWORK, tracking_number)
    if case.state == CaseState.SUPPLEMENT_REQUESTED:
        case_supplement(case=case, actor=actor, ip=ip)
    elif not supplement_to_forward(case, handoff):
        raise ValidationError(_("没有待转交的补正材料。"), code="nothing_to_forward")
    due = add_working_days(today(), forward_days() if carrier == Carrier.NETWORK else paper_days())
    leg = _leg(handoff, kind=LegKind.SUPPLEMENT, from_hall=handoff.receiving_hall, to_hall=handoff.owning_hall,
               carrier=carrier, tracking_number=tracking, actor=actor, due=due)  # fmt: skip
    _refresh_due(case, handoff)
    handoff.save(update_fields=["next_due"])
    save_case(case)
    event_record(case=case, kind=EventKind.HANDOFF_SUPPLEMENT_FORWARDED, actor=actor,
                 note=f"补正材料转交{handoff.owning_hall.name}（{leg.get_carrier_display()}）", ip=ip)  # fmt: skip
    _notify(case, handoff, kind="case_handoff_supplement", subject=gettext_now("补正材料已转交属地"),
            what=gettext_now("您在收件大厅递交的补正材料已转交属地大厅。"))  # fmt: skip
    return leg


def supplement_to_forward(case: Case, handoff: Handoff) -> bool:
    """A supplement handed in at the receiving hall (recorded there) that no supplement leg carried yet."""
    if case.state != CaseState.SUBMITTED:
        return False
    fulfilled = (
        case.supplement_requests.filter(fulfilled_at__isnull=False).order_by("-fulfilled_at").first()
        if case.pk
        else None
    )
    if fulfilled is None:
        return False
    supplied_here = case.events.filter(
        kind=EventKind.SUPPLEMENTED, created_at__gte=fulfilled.requested_at, hall=handoff.receiving_hall
    ).exists()
    return (
        supplied_here and not handoff.legs.filter(kind=LegKind.SUPPLEMENT, sent_at__gte=fulfilled.fulfilled_at).exists()
    )


__all__ = [
    "handoff_forward",
    "handoff_open",
    "handoff_receive",
    "handoff_supplement_forward",
    "receiving_mode",
    "result_returns",
]
