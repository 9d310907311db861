"""Producing results, the e-certificate library and the hand-over to the result window."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services
from cases.constants import CaseState, DeliveryMethod, DocumentKind, EventKind
from delivery import services as delivery
from delivery.constants import CertificateState, HolderKind, OrderState
from delivery.models import Certificate, DeliveryOrder, ResultHandover
from hall.models import Notice
from tests.cases.helpers import accepted_case

from .helpers import at_window, granted_case, produced

pytestmark = pytest.mark.django_db


def test_granted_case_gets_a_certificate_and_a_result_pdf(cast):
    case = granted_case(cast)
    order = produced(cast, case, scope="小吃店经营")
    certificate = Certificate.objects.get(case=case)
    assert certificate.holder_code == cast.citizen.id_number and certificate.holder_kind == HolderKind.ID_NUMBER
    assert certificate.holder_name == "张三" and certificate.state == CertificateState.VALID
    assert certificate.issuer_code == cast.market_jc.credit_code and certificate.valid_until is None
    assert certificate.document.kind == DocumentKind.RESULT and certificate.document.file.read().startswith(b"%PDF")
    assert certificate.number.startswith("441702") and len(certificate.number) == 17
    assert order.state == OrderState.PRODUCED and order.hall == case.receiving_hall
    assert order.due == case.delivery_due
    assert case.events.filter(kind=EventKind.RESULT_PRODUCED).count() == 1


def test_denied_case_result_is_the_denial_decision(cast):
    case = accepted_case(cast)
    services.case_deny(case=case, actor=cast.approver, reasons="经营场所不符合要求")
    produced(cast, case)
    assert not Certificate.objects.exists()
    assert delivery.result_document(case).kind == DocumentKind.DENIAL


def test_production_is_refused_twice_before_decision_and_to_outsiders(cast):
    case = accepted_case(cast)
    with pytest.raises(ValidationError, match="尚未作出决定"):
        produced(cast, case)
    services.case_grant(case=case, actor=cast.approver)
    with pytest.raises(PermissionDenied):
        delivery.result_produce(case=case, actor=cast.other_approver)
    produced(cast, case)
    with pytest.raises(ValidationError, match="不能重复制证"):
        produced(cast, case)
    assert Certificate.objects.count() == 1 and DeliveryOrder.objects.count() == 1


def test_a_new_certificate_of_the_same_kind_supersedes_the_old(cast):
    first = granted_case(cast)
    produced(cast, first)
    second = granted_case(cast, first.item_version)
    produced(cast, second)
    old, new = Certificate.objects.order_by("pk")
    assert old.state == CertificateState.SUPERSEDED and new.supersedes == old and new.state == CertificateState.VALID


def test_handover_signed_on_both_sides_and_applicant_told_where(cast, window):
    case = granted_case(cast, hall=cast.halls["YJ"])
    order = produced(cast, case)
    assert order.hall == cast.halls["YJ"]
    with pytest.raises(ValidationError, match="签名须与"):
        delivery.result_handover(orders=[order], actor=cast.approver, signature="别人")
    handover = delivery.result_handover(orders=[order], actor=cast.approver, signature=cast.approver.real_name)
    assert handover.count == 1 and handover.hall == cast.halls["YJ"] and handover.received_at is None
    with pytest.raises(ValidationError, match="已移交"):
        delivery.result_handover(orders=[order], actor=cast.approver, signature=cast.approver.real_name)
    with pytest.raises(PermissionDenied):  # the result window of another hall
        delivery.result_handover_receive(handover=handover, actor=cast.result_clerk, signature="x", count=1)
    with pytest.raises(ValidationError, match="不符"):
        delivery.result_handover_receive(
            handover=handover, actor=window.result_yj, signature=window.result_yj.real_name, count=2
        )
    delivery.result_handover_receive(
        handover=handover, actor=window.result_yj, signature=window.result_yj.real_name, count=1
    )
    handover.refresh_from_db()
    order.refresh_from_db()
    assert handover.received_by == window.result_yj and handover.received_count == 1
    assert order.state == OrderState.AT_WINDOW
    notice = Notice.objects.get(kind="result_ready")
    assert notice.recipient == cast.citizen and "请到阳江市政务服务中心 6号窗口" in notice.subject
    with pytest.raises(ValidationError, match="已经签收"):
        delivery.result_handover_receive(
            handover=handover, actor=window.result_yj, signature=window.result_yj.real_name, count=1
        )
    assert ResultHandover.objects.count() == 1


def test_electronic_result_is_downloadable_at_once(cast):
    case = granted_case(cast, method=DeliveryMethod.ELECTRONIC)
    order = produced(cast, case)
    assert order.state == OrderState.AVAILABLE and order.notice.recipient == cast.citizen


def test_choice_changeable_until_produced(cast):
    case = granted_case(cast)
    services.case_delivery_choose(
        case=case, actor=cast.citizen, method=DeliveryMethod.POST, address="阳江市江城区新江北路1号",
        recipient="张三", mobile="13900001111",
    )  # fmt: skip
    produced(cast, case)
    with pytest.raises(ValidationError, match="不能再更改"):
        services.case_delivery_choose(case=case, actor=cast.citizen, method=DeliveryMethod.ELECTRONIC)
    case.refresh_from_db()
    assert case.delivery_method == DeliveryMethod.POST
    assert DeliveryOrder.objects.get(case=case).address == "阳江市江城区新江北路1号"


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"method": "post", "address": "", "recipient": "张三", "mobile": "13900001111"}, "收件地址"),
        ({"method": "post", "address": "某地", "recipient": "张三", "mobile": "123"}, "手机号"),
        ({"method": "teleport"}, "不支持"),
    ],
)
def test_bad_choice_is_refused(cast, kwargs, message):
    case = accepted_case(cast)
    with pytest.raises(ValidationError, match=message):
        services.case_delivery_choose(case=case, actor=cast.citizen, **kwargs)
    case.refresh_from_db()
    assert case.delivery_method == ""


def test_item_limits_the_choice(cast):
    case = accepted_case(cast)
    version = case.item_version
    version.delivery_methods = "pickup"
    version.save(update_fields=["delivery_methods"])
    with pytest.raises(ValidationError, match="不支持"):
        services.case_delivery_choose(case=case, actor=cast.citizen, method=DeliveryMethod.ELECTRONIC)
    with pytest.raises(PermissionDenied):
        services.case_delivery_choose(case=case, actor=cast.other_citizen, method=DeliveryMethod.PICKUP)


def test_result_window_of_the_chosen_hall_may_deliver(cast, window):
    case = granted_case(cast, hall=cast.halls["YJ"])
    order = at_window(cast, case, window.result_yj)
    assert order.state == OrderState.AT_WINDOW
    assert case.state == CaseState.APPROVED


def test_cross_county_result_by_post_is_sent_by_the_owning_hall(cast):
    """全市通办, 异地代收: a 阳春市 item received at 阳西县 and handed to 阳春市. The result posted to the
    applicant leaves from the owning hall (阳春市), where it is produced: no detour through 阳西县."""
    from tests.cases.handoff_cast import make_cast, received

    hc = make_cast(cast)
    case = received(hc)
    assert case.receiving_hall == hc.yx and case.handed_to_hall == hc.yc
    services.case_delivery_choose(
        case=case, actor=hc.yx_clerk, method=DeliveryMethod.POST, address="阳江市阳西县人民大道1号",
        recipient="黄小明", mobile="13912345678",
    )  # fmt: skip
    services.case_accept(case=case, actor=hc.yc_clerk)
    services.case_grant(case=case, actor=hc.yc_approver)
    order = delivery.result_produce(case=case, actor=hc.yc_approver)
    assert order.method == DeliveryMethod.POST and order.hall == hc.yc
    handover = delivery.result_handover(orders=[order], actor=hc.yc_approver, signature=hc.yc_approver.real_name)
    assert handover.hall == hc.yc
    delivery.result_handover_receive(handover=handover, actor=hc.yc_result, signature=hc.yc_result.real_name, count=1)
    order.refresh_from_db()
    with pytest.raises(PermissionDenied):  # the receiving hall's window no longer sends it
        delivery.delivery_post(order=order, actor=hc.yx_result, carrier="ems", tracking_number="EA123456789CN")
    delivery.delivery_post(order=order, actor=hc.yc_result, carrier="ems", tracking_number="EA123456789CN")
    order.refresh_from_db()
    assert order.state == OrderState.POSTED


def test_cross_county_pickup_stays_at_the_receiving_hall(cast):
    """Pickup at the hall where the applicant applied: the order is that hall's (the result travels back)."""
    from tests.cases.handoff_cast import make_cast, received

    hc = make_cast(cast)
    case = received(hc)
    services.case_accept(case=case, actor=hc.yc_clerk)
    services.case_grant(case=case, actor=hc.yc_approver)
    order = delivery.result_produce(case=case, actor=hc.yc_approver)
    assert order.method == DeliveryMethod.PICKUP and order.hall == hc.yx
