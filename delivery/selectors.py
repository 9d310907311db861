"""Reads of the delivery app, already scoped to the caller (DESIGN.md).

Who sees what: the holder (and the enterprise's agent) their own certificates and results; a result
window clerk the orders of their halls; an approver the results of their departments to produce and
hand over; an archivist the packages of their halls (a city hall's archivist: the whole city); the
public only a certificate's state and printed content, by number or QR code. Lists read their open
work through the partial indexes of delivery.models and page with hall.paging."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from cases import permissions
from cases.constants import RESULT_QUEUE_STATES, DeliveryMethod, EventKind
from cases.models import Case, CaseEvent
from cases.registry import HeldCertificate
from hall.constants import StaffRole
from hall.crypto import blind_index
from hall.models import Enterprise, Hall
from hall.paging import KeysetPage, bounded_count, keyset_page

from .constants import CertificateState, OrderState
from .models import ArchivePackage, Certificate, DeliveryOrder, ResultHandover

# The result window's tabs: what each lists.
WINDOW_TABS = ("receive", "collect", "post", "posted", "electronic", "archive")


def _orders() -> QuerySet:
    return DeliveryOrder.objects.select_related(
        "case__item_version", "case__bundle", "case__applicant", "case__receiving_hall", "hall", "handover"
    )


def result_halls(user) -> set[int]:
    return permissions.halls_with_role(user, StaffRole.RESULT_CLERK)


def window_orders(user, tab: str) -> QuerySet:
    """The open orders of the clerk's halls for one tab of the result window (most urgent first)."""
    halls = result_halls(user)
    orders = _orders().filter(hall_id__in=halls)
    if tab == "collect":  # pickups at the window, and returned letters
        return orders.filter(state=OrderState.AT_WINDOW).filter(
            Q(method=DeliveryMethod.PICKUP) | Q(returned_at__isnull=False)
        )
    if tab == "post":
        return orders.filter(state=OrderState.AT_WINDOW, method=DeliveryMethod.POST, returned_at__isnull=True)
    if tab == "posted":
        return orders.filter(state=OrderState.POSTED)
    if tab == "electronic":
        return orders.filter(state=OrderState.AVAILABLE)
    if tab == "archive":
        return orders.filter(state=OrderState.DELIVERED)
    return orders.none()


def window_page(user, tab: str, *, after: str | None = None) -> KeysetPage:
    return keyset_page(window_orders(user, tab), order=("due", "pk"), after=after)


def window_counts(user) -> dict[str, object]:
    """A bounded count per tab (the tab labels), one small query each over the partial index."""
    counts = {tab: bounded_count(window_orders(user, tab), 1000) for tab in WINDOW_TABS if tab != "receive"}
    counts["receive"] = bounded_count(handovers_to_receive(user), 1000)
    return counts


def handovers_to_receive(user) -> QuerySet:
    return (
        ResultHandover.objects.filter(hall_id__in=result_halls(user), received_at__isnull=True)
        .select_related("department", "handed_by", "hall")
        .prefetch_related("orders__case__item_version", "orders__case__bundle")
        .order_by("handed_at", "pk")
    )


def to_produce(user) -> QuerySet:
    """Decided cases of the approver's departments whose result is not produced yet, in due order (open
    work: the partial index case_result_queue_dept holds only decided cases)."""
    departments = permissions.departments_with_role(user, StaffRole.APPROVER)
    produced = CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.RESULT_PRODUCED)
    revoked = CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.GRANT_REVOKED)  # nothing to issue
    return (
        Case.objects.filter(state__in=RESULT_QUEUE_STATES, owning_department_id__in=departments)
        .exclude(Exists(produced))
        .exclude(Exists(revoked))
        .select_related("item_version", "applicant", "enterprise", "parent", "receiving_hall")
        .order_by("next_due", "pk")
    )


def to_hand_over(user) -> QuerySet:
    """Produced paper results of the approver's departments still at the back office."""
    departments = permissions.departments_with_role(user, StaffRole.APPROVER)
    # A bundle's order is the department's when one of its children is: asked per produced order (few,
    # through the partial index of open orders), never by reading the departments' cases.
    child_of_mine = Case.objects.filter(parent_id=OuterRef("case_id"), owning_department_id__in=departments)
    mine = Q(case__owning_department_id__in=departments) | Q(Exists(child_of_mine))
    return _orders().filter(state=OrderState.PRODUCED).filter(mine).order_by("hall_id", "due", "pk")


def order_for_staff(user, pk) -> DeliveryOrder | None:
    """An order the result window of its hall, or the deciding department, may act on."""
    order = _orders().select_related("case__enterprise", "case__delivery_hall").filter(pk=pk).first()
    if order is None:
        return None
    case = order.case
    if order.hall_id in result_halls(user) or permissions.is_result_clerk(case, user):
        return order
    if any(permissions.is_deciding_approver(unit, user) for unit in [case, *case.children.all()]):
        return order
    return None


def order_of_case(case: Case) -> DeliveryOrder | None:
    top = case.parent if case.parent_id else case
    return _orders().select_related("proof__document").filter(case=top).first()


# ---- certificates -------------------------------------------------------------------------------


def holder_codes(user) -> list[str]:
    """The codes whose certificates are the user's: their ID number, and their enterprises' credit codes."""
    if user is None or not user.is_authenticated or not user.is_citizen:
        return []
    codes = [user.id_number] if user.id_number else []
    codes += list(Enterprise.objects.filter(agent=user).values_list("credit_code", flat=True))
    return codes


def certificates_for_user(user) -> QuerySet:
    """我的证照: every certificate issued to the user or their enterprise, newest first."""
    indexes = [blind_index(code) for code in holder_codes(user)]
    return Certificate.objects.filter(holder_code_index__in=[i for i in indexes if i]).select_related(
        "document", "case"
    )


def certificate_public(number: str) -> Certificate | None:
    """Public verification by number: the caller shows the state and what is printed, nothing else."""
    number = (number or "").strip().upper()
    if not number or len(number) > 40:
        return None
    return Certificate.objects.select_related("document").filter(number=number).first()


def certificate_for_document(document) -> Certificate | None:
    return Certificate.objects.filter(document=document).first()


def held_certificate(holder_code: str, material) -> HeldCertificate | None:
    """The provider of cases.registry.certificate_lookup: the holder's newest valid certificate whose kind
    is the material (the material's name names the certificate kind, e.g. “营业执照”)."""
    name = (getattr(material, "name", "") or "").strip()
    index = blind_index(holder_code)
    if not name or not index:
        return None
    certificate = (
        Certificate.objects.filter(holder_code_index=index, state=CertificateState.VALID, type_name=name)
        .select_related("document")
        .order_by("-issued_on", "-pk")
        .first()
    )
    if certificate is None:
        return None
    return HeldCertificate(
        number=certificate.number,
        type_name=certificate.type_name,
        issuer_name=certificate.issuer_name,
        file_name=certificate.document.file.name,
        sha256=certificate.document.sha256,
    )


# ---- archive ------------------------------------------------------------------------------------


def archive_halls(user) -> list[int]:
    """The halls whose packages the archivist reads: their own; a city hall's archivist, every hall of the
    city (the city and its counties)."""
    halls = permissions.halls_with_role(user, StaffRole.ARCHIVIST)
    if not halls:
        return []
    city = Hall.objects.filter(pk__in=halls, is_city_hall=True).values_list("region_id", flat=True)
    if city:
        return list(
            Hall.objects.filter(Q(pk__in=halls) | Q(region_id__in=city) | Q(region__parent_id__in=city)).values_list(
                "pk", flat=True
            )
        )
    return list(halls)


def archive_packages(user, *, year=None, item=None, retention=None) -> QuerySet:
    packages = ArchivePackage.objects.filter(hall_id__in=archive_halls(user)).select_related("case", "hall")
    if year:
        packages = packages.filter(year=year)
    if retention:
        packages = packages.filter(retention=retention)
    if item:
        packages = packages.filter(item_name__startswith=item)
    return packages


def archive_page(user, *, after=None, **filters) -> KeysetPage:
    return keyset_page(archive_packages(user, **filters), order=("-archived_at", "-pk"), after=after)


def package_for_user(user, pk) -> ArchivePackage | None:
    """A package for the archivist of its hall, the result window and deciding department of the case,
    and the holder; nobody else."""
    package = ArchivePackage.objects.select_related("case__applicant", "case__enterprise").filter(pk=pk).first()
    if package is None:
        return None
    case = package.case
    if package.hall_id in archive_halls(user):
        return package
    if permissions.is_applicant(case, user) or (case.enterprise_id and case.enterprise.agent_id == user.pk):
        return package
    units = [case, *case.children.all()]
    if any(permissions.is_result_clerk(u, user) or permissions.is_deciding_approver(u, user) for u in units):
        return package
    return None
