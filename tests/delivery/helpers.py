"""Drive the real services to put a case where a delivery test needs it."""

from cases import services
from cases.constants import DeliveryMethod
from delivery import services as delivery
from tests.cases.helpers import accepted_case


def granted_case(cast, version=None, *, method=DeliveryMethod.PICKUP, hall=None, **post):
    """A granted 江城区 case whose applicant chose `method` (pickup at `hall`, default the receiving hall)."""
    case = accepted_case(cast, version)
    services.case_delivery_choose(case=case, actor=cast.citizen, method=method, hall=hall, **post)
    return services.case_grant(case=case, actor=cast.approver, opinion="符合条件")


def produced(cast, case, **kwargs):
    return delivery.result_produce(case=case, actor=cast.approver, **kwargs)


def at_window(cast, case, clerk=None, **kwargs):
    """Granted → produced → handed over → counted in by the result window; returns the order."""
    order = produced(cast, case, **kwargs)
    handover = delivery.result_handover(orders=[order], actor=cast.approver, signature=cast.approver.real_name)
    clerk = clerk or cast.result_clerk
    delivery.result_handover_receive(handover=handover, actor=clerk, signature=clerk.real_name, count=1)
    order.refresh_from_db()
    return order


def picked_up(cast, case, clerk=None):
    order = at_window(cast, case, clerk)
    delivery.delivery_pickup(
        order=order,
        actor=clerk or cast.result_clerk,
        recipient_kind="applicant",
        recipient_name=cast.citizen.real_name,
        recipient_id_number=cast.citizen.id_number,
        identity_checked=True,
        signature=cast.citizen.real_name,
        signature_confirmed=True,
    )
    order.refresh_from_db()
    return order
