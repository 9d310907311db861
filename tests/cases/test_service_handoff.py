"""Cross-county hand-off services: receipt in each mode, forwarding, receipt by the owner, supplements
forwarded on, the result sent back and its arrival; each bad input refused with nothing changed."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services
from cases.constants import CaseState, EventKind, HandoffState, LegKind
from cases.handoff_selectors import handoff_archive_part, result_available_at
from cases.models import Case, Handoff, HandoffLeg
from cases.selectors import case_archive_record
from hall.models import Notice
from hall.workdays import add_working_days
from items.constants import CrossAreaMode

from .factories import pdf_upload
from .handoff_cast import forwarded, granted, make_cast, receive_at, received

pytestmark = pytest.mark.django_db


@pytest.fixture
def hc(cast):
    return make_cast(cast)


def _snapshot(case):
    case.refresh_from_db()
    handoff = Handoff.objects.get(case=case)
    legs = list(HandoffLeg.objects.filter(handoff=handoff).values_list("pk", "received_at"))
    return (case.state, case.handed_to_hall_id, case.custodian_hall_id, handoff.state, legs, case.events.count())


def test_receipt_outside_the_owning_county_opens_a_handoff(hc):
    case = receive_at(hc)
    handoff = case.handoff
    assert case.cross_area_mode == CrossAreaMode.RECEIVE_FORWARD
    assert case.custodian_hall == hc.yx and case.handed_to_hall is None
    assert handoff.state == HandoffState.AWAITING_FORWARD
    assert (handoff.receiving_hall, handoff.owning_hall) == (hc.yx, hc.yc)
    assert handoff.forward_due == add_working_days(timezone.localdate(case.received_at), 1)
    assert case.handoff_due == handoff.forward_due and case.next_due <= handoff.forward_due
    assert handoff.stage_owners["receive"]["name"] == hc.yx.name
    assert handoff.stage_owners["accept"]["name"] == hc.yc.name
    assert handoff.stage_owners["decide"]["side"] == "owning"
    assert handoff.receiving_archive and handoff.owning_archive
    assert case.events.filter(kind=EventKind.HANDOFF_OPENED).exists()


def test_receipt_in_the_owning_county_has_no_handoff(hc):
    case = receive_at(hc, hall=hc.yc, clerk=hc.yc_clerk)
    assert case.cross_area_mode == "" and not Handoff.objects.filter(case=case).exists()
    services.case_accept(case=case, actor=hc.yc_clerk)


def test_a_receive_and_forward_hall_cannot_accept_refuse_or_ask_for_supplements(hc):
    case = receive_at(hc)
    before = _snapshot(case)
    with pytest.raises(PermissionDenied):
        services.case_accept(case=case, actor=hc.yx_clerk)
    with pytest.raises(PermissionDenied):
        services.case_refuse(case=case, actor=hc.yx_clerk, reasons="不符合条件")
    material = hc.version.materials.first()
    with pytest.raises(PermissionDenied):
        services.case_request_supplement(
            case=case, actor=hc.yx_clerk, items=[{"material": material, "reason": "不清晰"}],
            due=timezone.localdate() + dt.timedelta(days=7),
        )  # fmt: skip
    assert _snapshot(case) == before


def test_the_owner_cannot_accept_before_confirming_receipt(hc):
    case = forwarded(hc)
    with pytest.raises(PermissionDenied):
        services.case_accept(case=case, actor=hc.yc_clerk)


def test_a_hall_allowed_to_accept_on_the_owners_behalf_accepts_itself(hc):
    case = receive_at(hc, hall=hc.jc, clerk=hc.jc_clerk)
    assert case.cross_area_mode == CrossAreaMode.ACCEPT
    assert case.handoff.stage_owners["accept"]["name"] == hc.jc.name
    services.case_accept(case=case, actor=hc.jc_clerk)
    services.handoff_forward(case=case, actor=hc.jc_clerk, paper_carrier="courier", paper_tracking="SF100")
    case.refresh_from_db()
    assert case.handed_to_hall == hc.yc


def test_forwarding_sends_the_file_at_once_and_the_paper_with_tracking(hc):
    case = forwarded(hc)
    handoff = case.handoff
    legs = {leg.kind: leg for leg in handoff.legs.all()}
    assert set(legs) == {LegKind.ELECTRONIC, LegKind.PAPER}
    assert legs[LegKind.PAPER].tracking_number == "EM123456789CN"
    assert legs[LegKind.ELECTRONIC].sent_by == hc.yx_clerk
    assert handoff.state == HandoffState.FORWARDED
    assert case.handed_to_hall == hc.yc and case.custodian_hall == hc.yx
    notice = Notice.objects.filter(recipient=case.applicant, kind="case_handoff_forwarded").get()
    assert hc.yx.name in notice.body and hc.yc.name in notice.body


def test_forwarding_to_a_hall_that_does_not_own_the_item_is_refused(hc):
    case = receive_at(hc)
    before = _snapshot(case)
    with pytest.raises(ValidationError, match="不是该事项的属地大厅"):
        services.handoff_forward(case=case, actor=hc.yx_clerk, to_hall=hc.jc)
    assert _snapshot(case) == before


def test_paper_without_tracking_number_is_refused(hc):
    case = receive_at(hc)
    before = _snapshot(case)
    with pytest.raises(ValidationError, match="寄递单号"):
        services.handoff_forward(case=case, actor=hc.yx_clerk, paper_carrier="ems", paper_tracking="  ")
    assert _snapshot(case) == before


def test_only_the_receiving_hall_forwards_and_only_once(hc):
    case = receive_at(hc)
    with pytest.raises(PermissionDenied):
        services.handoff_forward(case=case, actor=hc.jc_clerk)
    services.handoff_forward(case=case, actor=hc.yx_clerk)
    with pytest.raises(ValidationError, match="重复转交"):
        services.handoff_forward(case=case, actor=hc.yx_clerk)


def test_owner_confirms_receipt_once_then_reviews(hc):
    case = forwarded(hc)
    services.handoff_receive(case=case, actor=hc.yc_clerk)
    case.refresh_from_db()
    assert case.custodian_hall == hc.yc and case.handoff.state == HandoffState.RECEIVED
    before = _snapshot(case)
    with pytest.raises(ValidationError, match="不能重复确认"):
        services.handoff_receive(case=case, actor=hc.yc_clerk)
    assert _snapshot(case) == before
    services.case_accept(case=case, actor=hc.yc_clerk)
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED


def test_the_receiving_hall_cannot_confirm_the_owners_receipt(hc):
    case = forwarded(hc)
    with pytest.raises(PermissionDenied):
        services.handoff_receive(case=case, actor=hc.yx_clerk)


def test_paper_receipt_needs_the_tracking_number_and_it_must_match(hc):
    case = received(hc)
    before = _snapshot(case)
    with pytest.raises(ValidationError, match="寄递单号"):
        services.handoff_receive(case=case, actor=hc.yc_clerk, leg_kind=LegKind.PAPER)
    with pytest.raises(ValidationError, match="不一致"):
        services.handoff_receive(case=case, actor=hc.yc_clerk, leg_kind=LegKind.PAPER, tracking_number="EM0")
    assert _snapshot(case) == before
    leg = services.handoff_receive(
        case=case, actor=hc.yc_clerk, leg_kind=LegKind.PAPER, tracking_number=" em123456789cn "
    )
    assert leg.received_by == hc.yc_clerk and leg.received_at is not None
    with pytest.raises(ValidationError, match="不能重复确认"):
        services.handoff_receive(case=case, actor=hc.yc_clerk, leg_kind=LegKind.PAPER, tracking_number="EM123456789CN")


def test_intake_clock_runs_from_the_receiving_halls_receipt(hc):
    case = receive_at(hc)
    Case.objects.filter(pk=case.pk).update(received_at=case.received_at - dt.timedelta(days=3))
    case.refresh_from_db()
    services.handoff_forward(case=case, actor=hc.yx_clerk)
    services.handoff_receive(case=case, actor=hc.yc_clerk)
    case.refresh_from_db()
    start = timezone.localdate(case.received_at)
    assert case.intake_due == add_working_days(start, 5)


def test_supplement_at_the_receiving_hall_is_forwarded_on(hc):
    case = received(hc, paper=False)
    material = hc.version.materials.order_by("order").first()
    services.case_request_supplement(
        case=case, actor=hc.yc_clerk, items=[{"material": material, "reason": "复印件不清晰"}],
        due=timezone.localdate() + dt.timedelta(days=10),
    )  # fmt: skip
    case.refresh_from_db()
    services.case_attach_material(case=case, actor=hc.yx_clerk, upload=pdf_upload("补正.pdf"), material=material)
    leg = services.handoff_supplement_forward(case=case, actor=hc.yx_clerk)
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED and leg.kind == LegKind.SUPPLEMENT and leg.to_hall == hc.yc
    services.handoff_receive(case=case, actor=hc.yc_clerk, leg_kind=LegKind.SUPPLEMENT)
    services.case_accept(case=case, actor=hc.yc_clerk)


def test_result_goes_back_and_is_available_only_after_arrival(hc):
    case = granted(hc)
    assert not result_available_at(case, hc.yx)
    assert result_available_at(case, hc.yc)
    with pytest.raises(ValidationError, match="寄递单号"):
        services.handoff_result_send(case=case, actor=hc.yc_result, tracking_number="")
    with pytest.raises(PermissionDenied):
        services.handoff_result_send(case=case, actor=hc.yx_clerk, tracking_number="EM9")
    services.handoff_result_send(case=case, actor=hc.yc_result, tracking_number="EM987654321CN", carrier="ems")
    assert not result_available_at(case, hc.yx)
    with pytest.raises(PermissionDenied):
        services.handoff_result_arrive(case=case, actor=hc.jc_result)
    services.handoff_result_arrive(case=case, actor=hc.yx_result)
    case.refresh_from_db()
    assert result_available_at(case, hc.yx)
    assert case.custodian_hall == hc.yx and case.handoff.state == HandoffState.RESULT_ARRIVED
    with pytest.raises(ValidationError, match="不能重复确认"):
        services.handoff_result_arrive(case=case, actor=hc.yx_result)
    notice = Notice.objects.filter(recipient=case.applicant, kind="case_handoff_result_arrived").get()
    assert hc.yx.name in notice.body


def test_the_decision_marks_the_hand_off_decided_and_it_stays_so(hc):
    """The owning hall's results to send back read Handoff.decided: the grant or the refusal sets it, and
    the steps that save the hand-off afterwards keep it."""
    case = received(hc)
    services.case_accept(case=case, actor=hc.yc_clerk)
    assert not Handoff.objects.get(case=case).decided
    services.case_deny(case=case, actor=hc.yc_approver, reasons="不符合法定条件")
    assert Handoff.objects.get(case=case).decided
    case.refresh_from_db()
    services.handoff_result_send(case=case, actor=hc.yc_result, tracking_number="EM987654321CN")
    handoff = Handoff.objects.get(case=case)
    assert handoff.decided and handoff.state == HandoffState.RESULT_SENT
    assert Handoff.objects.get(case=granted(hc)).decided


def test_no_return_leg_when_the_result_is_posted(hc):
    case = received(hc)
    Case.objects.filter(pk=case.pk).update(delivery_method="post")
    case.refresh_from_db()
    assert result_available_at(case, hc.yx)
    services.case_accept(case=case, actor=hc.yc_clerk)
    services.case_grant(case=case, actor=hc.yc_approver)
    with pytest.raises(ValidationError, match="无需寄回"):
        services.handoff_result_send(case=case, actor=hc.yc_result, tracking_number="EM1")


def test_archive_record_carries_custody_trail_and_archive_duties(hc):
    case = granted(hc)
    part = handoff_archive_part(case)["handoff"]
    assert part["receiving_hall"] == hc.yx.name and part["owning_hall"] == hc.yc.name
    assert {row["stage"] for row in part["stage_owners"]} == {
        "receive",
        "accept",
        "decide",
        "produce",
        "deliver",
        "archive",
    }
    assert part["archive_responsibility"]["receiving"]["keeps"]
    whats = [line["what"] for line in part["custody_trail"]]
    assert len(whats) >= 4  # receipt, electronic sent and received, paper sent
    assert "handoff" in case_archive_record(case)


def test_after_forwarding_the_receiving_hall_no_longer_changes_the_file(hc):
    case = forwarded(hc)
    material = hc.version.materials.order_by("order").first()
    count = case.materials.count()
    with pytest.raises(PermissionDenied, match="已转交属地大厅"):
        services.case_attach_material(case=case, actor=hc.yx_clerk, upload=pdf_upload("换.pdf"), material=material)
    assert case.materials.count() == count


def test_accept_mode_forwards_only_after_acceptance(hc):
    case = receive_at(hc, hall=hc.jc, clerk=hc.jc_clerk)
    with pytest.raises(ValidationError, match="不能转交"):
        services.handoff_forward(case=case, actor=hc.jc_clerk)


def _supplement_requested(hc):
    case = received(hc, paper=False)
    material = hc.version.materials.order_by("order").first()
    services.case_request_supplement(
        case=case, actor=hc.yc_clerk, items=[{"material": material, "reason": "复印件不清晰"}],
        due=timezone.localdate() + dt.timedelta(days=10),
    )  # fmt: skip
    case.refresh_from_db()
    return case, material


def test_supplement_recorded_on_the_supplement_page_is_then_forwarded(hc):
    case, material = _supplement_requested(hc)
    services.case_attach_material(case=case, actor=hc.yx_clerk, upload=pdf_upload("补正.pdf"), material=material)
    services.case_supplement(case=case, actor=hc.yx_clerk)
    case.refresh_from_db()
    leg = services.handoff_supplement_forward(case=case, actor=hc.yx_clerk)
    assert leg.kind == LegKind.SUPPLEMENT
    with pytest.raises(ValidationError, match="没有待转交"):
        services.handoff_supplement_forward(case=case, actor=hc.yx_clerk)


def test_the_applicant_supplements_online_straight_to_the_owner(hc):
    case, material = _supplement_requested(hc)
    services.case_attach_material(case=case, actor=case.applicant, upload=pdf_upload("补正.pdf"), material=material)
    services.case_supplement(case=case, actor=case.applicant)
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="没有待转交"):
        services.handoff_supplement_forward(case=case, actor=hc.yx_clerk)
    services.case_accept(case=case, actor=hc.yc_clerk)
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED


def test_the_hall_whose_turn_it_is_hears_of_it(hc):
    case = forwarded(hc)
    assert Notice.objects.filter(recipient=hc.yc_clerk, kind="handoff", case_number=case.number).exists()
    assert not Notice.objects.filter(recipient=hc.jc_clerk, kind="handoff").exists()
    case = granted(hc)
    services.handoff_result_send(case=case, actor=hc.yc_result, tracking_number="EM555CN")
    notice = Notice.objects.filter(recipient=hc.yx_result, kind="handoff", case_number=case.number).get()
    assert "EM555CN" in notice.body


def test_a_case_accepted_by_law_is_still_forwarded(hc):
    """Art. 32: not reviewed in time counts as accepted on receipt; the file must still reach the owner."""
    case = receive_at(hc)
    Case.objects.filter(pk=case.pk).update(state=CaseState.ACCEPTED, accepted_by_law=True)
    case.refresh_from_db()
    services.handoff_forward(case=case, actor=hc.yx_clerk)
    case.refresh_from_db()
    assert case.handed_to_hall == hc.yc and case.handoff.state == HandoffState.FORWARDED
