"""{% load delivery %}: the delivery section of the case page and the certificate state on the public
verification page (cases renders those pages; cases never imports delivery, so they come in as tags)."""

from django import template

from cases import permissions
from cases.constants import DECIDED_STATES, CaseState, DeliveryMethod
from cases.services.delivery_choice import result_produced

from .. import selectors
from ..constants import OrderState
from ..forms import ProduceForm
from ..models import ArchivePackage, Certificate, DeliveryOrder
from ..services import is_produced
from ..services._common import result_units, top_case

register = template.Library()

# The states of a case that has its decision: its result may be produced, ordered and archived.
RESULT_STATES = (*DECIDED_STATES, CaseState.DELIVERED, CaseState.ARCHIVED)


@register.inclusion_tag("delivery/_case_section_body.html", takes_context=True)
def delivery_section(context, case):
    user = context["request"].user
    top = top_case(case)
    units = result_units(top)
    owner = permissions.is_applicant(top, user) or bool(top.enterprise_id and top.enterprise.agent_id == user.pk)
    staff_units = [
        u for u in units if permissions.is_result_clerk(u, user) or permissions.is_deciding_approver(u, user)
    ]
    # A single item's case has no result before its decision (and never goes back from one): no order,
    # certificate or archive package to read. A bundle's results are its children's, read as before.
    undecided = top.item_version_id is not None and top.state not in RESULT_STATES
    order = None if undecided else _order_shown(top)
    package = ArchivePackage.objects.filter(case=top).first() if not undecided and (owner or staff_units) else None
    return {
        "case": case,
        "top": top,
        "order": order,
        "proof": getattr(order, "proof", None) if order and order.state in (OrderState.DELIVERED, OrderState.ARCHIVED) else None,
        "package": package,
        "certificates": [] if undecided else list(Certificate.objects.filter(case__in=units)),  # number, type, state
        "owner": owner,
        "is_staff": bool(staff_units),
        "may_change": owner and (undecided or not result_produced(top)) and top.state not in ("rejected", "withdrawn"),
        "may_download": owner and order is not None and order.method == DeliveryMethod.ELECTRONIC
        and order.state in (OrderState.AVAILABLE, OrderState.DELIVERED, OrderState.ARCHIVED),
        "may_produce": case.item_version_id is not None and case.state in DECIDED_STATES
        and permissions.is_deciding_approver(case, user) and not is_produced(case),
        "may_archive": order is not None and order.state == OrderState.DELIVERED and bool(staff_units),
        "produce_form": ProduceForm(),
    }  # fmt: skip


def _order_shown(top):
    """The case's delivery order as the section shows it (state, carrier, tracking number, proof of
    delivery): not its case again, nor the address, mobile or recipient's ID number (SM4) it never prints."""
    return (
        DeliveryOrder.objects.select_related("proof")
        .defer("address", "mobile", "proof__place", "proof__recipient_id_number")
        .filter(case=top)
        .first()
    )


@register.simple_tag
def certificate_for_document(document):
    """The certificate a verified document is (None for other documents)."""
    return selectors.certificate_for_document(document)
