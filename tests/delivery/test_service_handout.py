"""Pickup, post, electronic delivery: the proof of delivery, the case's `deliver`, and bad input."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services
from cases.constants import CaseState, DeliveryMethod, DocumentKind, EventKind
from delivery import services as delivery
from delivery.constants import OrderState
from delivery.models import DeliveryProof
from hall.models import Notice

from .helpers import at_window, granted_case, picked_up, produced

pytestmark = pytest.mark.django_db


def _pickup(cast, order, **overrides):
    values = {
        "order": order,
        "actor": cast.result_clerk,
        "recipient_kind": "applicant",
        "recipient_name": cast.citizen.real_name,
        "recipient_id_number": cast.citizen.id_number,
        "identity_checked": True,
        "signature": cast.citizen.real_name,
        "signature_confirmed": True,
    }
    values.update(overrides)
    return delivery.delivery_pickup(**values)


def test_pickup_records_identity_and_signature_and_issues_the_proof(cast):
    case = granted_case(cast)
    order = at_window(cast, case)
    proof = _pickup(cast, order)
    case.refresh_from_db()
    order.refresh_from_db()
    assert case.state == CaseState.DELIVERED and order.state == OrderState.DELIVERED
    assert proof.identity_checked and proof.signature == "张三" and proof.delivered_by == cast.result_clerk
    assert proof.document.kind == DocumentKind.DELIVERY_PROOF and proof.document.file.read().startswith(b"%PDF")
    assert "江城区政务服务中心" in proof.place
    event = case.events.get(kind=EventKind.DELIVERED)
    assert event.to_state == CaseState.DELIVERED and event.document == proof.document
    assert case.warning_level == "none" and case.next_due is None  # the delivery clock stopped


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"identity_checked": False}, "核验"),
        ({"signature": ""}, "签名"),
        ({"signature_confirmed": False}, "确认"),
        ({"signature": "李四"}, "签名须与领取人姓名一致"),
        ({"recipient_name": "王五", "signature": "王五"}, "与申请人不一致"),
        ({"recipient_kind": "agent", "recipient_name": "王五", "signature": "王五"}, "授权委托书"),
    ],
)
def test_pickup_bad_input_changes_nothing(cast, overrides, message):
    case = granted_case(cast)
    order = at_window(cast, case)
    with pytest.raises(ValidationError, match=message):
        _pickup(cast, order, **overrides)
    case.refresh_from_db()
    order.refresh_from_db()
    assert case.state == CaseState.APPROVED and order.state == OrderState.AT_WINDOW
    assert not DeliveryProof.objects.exists()
    assert not case.documents.filter(kind=DocumentKind.DELIVERY_PROOF).exists()


def test_agent_with_authority_may_collect_but_not_someone_else(cast):
    case = granted_case(cast)
    case.agent_name, case.agent_id_number = "王五", "11010519491231002X"
    case.save(update_fields=["agent_name", "agent_id_number"])
    order = at_window(cast, case)
    stranger = {"recipient_kind": "agent", "recipient_name": "赵六", "signature": "赵六",
                "recipient_id_number": "440102198001010017", "agent_authority": "委托书"}  # fmt: skip
    with pytest.raises(ValidationError, match="不是申请时登记的代理人"):
        _pickup(cast, order, **stranger)
    proof = _pickup(
        cast, order, recipient_kind="agent", recipient_name="王五", signature="王五",
        recipient_id_number="11010519491231002x", agent_authority="张三2026年11月20日出具的授权委托书",
    )  # fmt: skip
    assert proof.recipient_kind == "agent" and proof.agent_authority.startswith("张三")


def test_second_delivery_and_wrong_hall_are_refused(cast, window):
    case = granted_case(cast)
    order = picked_up(cast, case)
    with pytest.raises(ValidationError, match="已经送达"):
        _pickup(cast, order)
    other = granted_case(cast)
    other_order = at_window(cast, other)
    with pytest.raises(PermissionDenied):
        _pickup(cast, other_order, actor=window.result_yd)
    assert DeliveryProof.objects.count() == 1


def test_pickup_refused_before_the_result_reaches_the_window(cast):
    case = granted_case(cast)
    order = produced(cast, case)
    with pytest.raises(ValidationError, match="尚未移交"):
        _pickup(cast, order)


def _post_case(cast):
    case = granted_case(
        cast, method=DeliveryMethod.POST, address="阳江市江城区新江北路1号", recipient="张三", mobile="13900001111"
    )
    return case, at_window(cast, case)


@pytest.mark.parametrize("number", ["12345", "EA12345678CN", "ABCDEFGHIJKLM", "1234567890123456"])
def test_malformed_tracking_number_is_refused(cast, number):
    case, order = _post_case(cast)
    with pytest.raises(ValidationError, match="运单号格式不正确"):
        delivery.delivery_post(order=order, actor=cast.result_clerk, carrier="ems", tracking_number=number)
    order.refresh_from_db()
    assert order.state == OrderState.AT_WINDOW and order.tracking_number == ""


def test_post_then_delivered(cast):
    case, order = _post_case(cast)
    delivery.delivery_post(order=order, actor=cast.result_clerk, carrier="ems", tracking_number="ea 123456789 cn")
    order.refresh_from_db()
    assert order.state == OrderState.POSTED and order.tracking_number == "EA123456789CN"
    notice = Notice.objects.get(kind="result_posted")
    assert "已寄出，运单号 EA123456789CN" in notice.subject
    delivery.delivery_post_outcome(order=order, actor=cast.result_clerk, outcome="delivered", signed_by="张三")
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED
    assert DeliveryProof.objects.get().place == "阳江市江城区新江北路1号"


def test_returned_letter_goes_back_to_the_window(cast):
    case, order = _post_case(cast)
    delivery.delivery_post(order=order, actor=cast.result_clerk, carrier="sf", tracking_number="SF1234567890123")
    with pytest.raises(ValidationError, match="退回原因"):
        delivery.delivery_post_outcome(order=order, actor=cast.result_clerk, outcome="returned")
    delivery.delivery_post_outcome(order=order, actor=cast.result_clerk, outcome="returned", reason="地址不详")
    order.refresh_from_db()
    assert order.state == OrderState.AT_WINDOW and order.returned_at is not None
    assert "退回" in Notice.objects.filter(kind="result_ready").latest("pk").body
    with pytest.raises(ValidationError, match="退回"):
        delivery.delivery_post(order=order, actor=cast.result_clerk, carrier="ems", tracking_number="1234567890123")
    _pickup(cast, order)
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED


def test_electronic_delivered_on_first_download_once(cast):
    case = granted_case(cast, method=DeliveryMethod.ELECTRONIC)
    order = produced(cast, case)
    with pytest.raises(PermissionDenied):
        delivery.delivery_electronic(order=order, actor=cast.other_citizen)
    proof = delivery.delivery_electronic(order=order, actor=cast.citizen)
    assert proof is not None and delivery.delivery_electronic(order=order, actor=cast.citizen) is None
    case.refresh_from_db()
    order.refresh_from_db()
    assert case.state == CaseState.DELIVERED and order.first_downloaded_at is not None


def test_electronic_delivered_when_the_notice_is_read(cast):
    case = granted_case(cast, method=DeliveryMethod.ELECTRONIC)
    order = produced(cast, case)
    assert delivery.electronic_deliveries_by_notice() == 0
    Notice.objects.filter(pk=order.notice_id).update(read_at="2026-11-29T10:00:00+08:00")
    assert delivery.electronic_deliveries_by_notice() == 1
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED
    assert DeliveryProof.objects.get().delivered_by is None


def test_denied_case_delivers_the_denial_decision(cast):
    from tests.cases.helpers import accepted_case

    case = accepted_case(cast)
    services.case_deny(case=case, actor=cast.approver, reasons="不符合条件")
    order = at_window(cast, case)
    _pickup(cast, order)
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED


def test_pickup_refused_until_the_result_has_arrived_at_that_hall(cast, monkeypatch):
    """A cross-area result still on its way back (cases.selectors.result_available_at is False)."""
    from delivery.services import handout

    case = granted_case(cast)
    order = at_window(cast, case)
    monkeypatch.setattr(handout, "result_available_at", lambda case, hall: False)
    with pytest.raises(ValidationError, match="尚未寄达本大厅"):
        _pickup(cast, order)
    monkeypatch.setattr(handout, "result_available_at", lambda case, hall: True)
    _pickup(cast, order)
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED
