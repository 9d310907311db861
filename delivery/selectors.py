"""Reads of the delivery app, already scoped to the caller (DESIGN.md).

Who sees what: the holder (and the enterprise's agent) their own certificates and results; a result
window clerk the orders of their halls; an approver the results of their departments to produce and
hand over; an archivist the packages of their halls (a city hall's archivist: the whole city); the
public only a certificate's state and printed content, by number or QR code. Lists read their open
work through the partial indexes of delivery.models and page with hall.paging."""

from types import SimpleNamespace

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from cases import permissions
from cases.constants import RESULT_QUEUE_STATES, DeliveryMethod, EventKind
from cases.models import Case, CaseEvent
from cases.registry import HeldCertificate
from cases.rows import clock_fields
from hall.constants import StaffRole
from hall.crypto import blind_index
from hall.models import Enterprise, Hall
from hall.paging import BoundedCount, KeysetPage, keyset_page

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
    orders = DeliveryOrder.objects.filter(hall_id__in=halls)
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


# A window row: the order, its case's number, title and applicant, and what the clock badge reads.
WINDOW_ROW = (
    "pk",
    "due",
    "method",
    "state",
    "returned_at",
    "tracking_number",
    "case__number",
    "case__applicant_name",
    "case__item_version__name",
    "case__bundle__name",
    *clock_fields("case__"),
)


def window_page(user, tab: str, *, after: str | None = None) -> KeysetPage:
    """One page of a tab, as rows of WINDOW_ROW (named tuples, no model instances)."""
    rows = window_orders(user, tab).values_list(*WINDOW_ROW, named=True)
    return keyset_page(rows, order=("due", "pk"), after=after)


TAB_COUNT_BOUND = 1000
# The SQL of the tab counts per set of halls: the same halls always give the same statement, so it is
# compiled once per process (six querysets compiled per request were most of the counts' time).
_TAB_COUNTS_SQL: dict[tuple[int, ...], tuple[str, list]] = {}


def window_counts(user) -> dict[str, BoundedCount]:
    """A bounded count per tab (the tab labels), each over its partial index as bounded_count reads it
    (COUNT(*) of at most TAB_COUNT_BOUND + 1 ids), all six in one statement."""
    halls = tuple(sorted(result_halls(user)))
    statement = _TAB_COUNTS_SQL.get(halls)
    if statement is None:
        if len(_TAB_COUNTS_SQL) > 1000:
            _TAB_COUNTS_SQL.clear()
        parts, params = [], []
        for tab in WINDOW_TABS:
            rows = handovers_to_receive(user) if tab == "receive" else window_orders(user, tab)
            sql, tab_params = rows.order_by().values("pk")[: TAB_COUNT_BOUND + 1].query.sql_with_params()
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS {tab})")
            params.extend(tab_params)
        statement = _TAB_COUNTS_SQL[halls] = ("SELECT " + ", ".join(parts), params)
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        found = cursor.fetchone()
    return {
        tab: BoundedCount(min(count, TAB_COUNT_BOUND), count > TAB_COUNT_BOUND)
        for tab, count in zip(WINDOW_TABS, found, strict=True)
    }


def handovers_to_receive(user) -> QuerySet:
    return ResultHandover.objects.filter(hall_id__in=result_halls(user), received_at__isnull=True).order_by(
        "handed_at", "pk"
    )


HANDOVER_ROW = ("pk", "department__name", "hall__name", "handed_by_signature", "handed_at", "count")
HANDED_ORDER_ROW = ("handover_id", "method", "case__number", "case__item_version__name", "case__bundle__name")


def handovers_to_receive_rows(user, limit: int = 50) -> list:
    """The first hand-overs to count in, as rows of HANDOVER_ROW, each with `orders`: its orders as rows
    of HANDED_ORDER_ROW (one query for all of them, through the orders' hand-over key)."""
    handovers = [
        SimpleNamespace(**row._asdict(), orders=[])
        for row in handovers_to_receive(user).values_list(*HANDOVER_ROW, named=True)[:limit]
    ]
    if handovers:
        by_pk = {handover.pk: handover for handover in handovers}
        orders = (
            DeliveryOrder.objects.filter(handover_id__in=by_pk)
            .order_by("due", "pk")
            .values_list(*HANDED_ORDER_ROW, named=True)
        )
        for order in orders:
            by_pk[order.handover_id].orders.append(order)
    return handovers


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
        .order_by("next_due", "pk")
    )


PRODUCE_ROW = (
    "pk",
    "next_due",
    "number",
    "applicant_name",
    "item_version__name",
    "bundle__name",
    *clock_fields(),
)


def production_page(user, *, after: str | None = None) -> KeysetPage:
    """One page of the cases to produce (rows of PRODUCE_ROW), in due order."""
    rows = to_produce(user).values_list(*PRODUCE_ROW, named=True)
    return keyset_page(rows, order=("next_due", "pk"), after=after)


def to_hand_over(user) -> QuerySet:
    """Produced paper results of the approver's departments still at the back office."""
    departments = permissions.departments_with_role(user, StaffRole.APPROVER)
    # A bundle's order is the department's when one of its children is: asked per produced order (few,
    # through the partial index of open orders), never by reading the departments' cases.
    child_of_mine = Case.objects.filter(parent_id=OuterRef("case_id"), owning_department_id__in=departments)
    mine = Q(case__owning_department_id__in=departments) | Q(Exists(child_of_mine))
    return DeliveryOrder.objects.filter(state=OrderState.PRODUCED).filter(mine).order_by("hall_id", "due", "pk")


def order_for_staff(user, pk) -> DeliveryOrder | None:
    """An order the result window of its hall, or the deciding department, may act on."""
    # What the order page shows: the case and its title, the halls, the proof and its document (no
    # applicant account: the page shows the name stored on the case).
    order = (
        DeliveryOrder.objects.select_related(
            "case__item_version", "case__bundle", "hall", "case__delivery_hall", "proof__document"
        )
        .filter(pk=pk)
        .first()
    )
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
    cached = getattr(user, "_archive_hall_ids", None)  # read once per user object (one request)
    if cached is not None:
        return cached
    halls = list(permissions.halls_with_role(user, StaffRole.ARCHIVIST))
    if halls:
        city = Hall.objects.filter(pk__in=halls, is_city_hall=True).values_list("region_id", flat=True)
        if city:
            halls = list(
                Hall.objects.filter(
                    Q(pk__in=halls) | Q(region_id__in=city) | Q(region__parent_id__in=city)
                ).values_list("pk", flat=True)
            )
    if user is not None:
        user._archive_hall_ids = halls
    return halls


def archive_packages(user, *, year=None, item=None, retention=None) -> QuerySet:
    packages = ArchivePackage.objects.filter(hall_id__in=archive_halls(user)).select_related("case", "hall")
    if year:
        packages = packages.filter(year=year)
    if retention:
        packages = packages.filter(retention=retention)
    if item:
        packages = packages.filter(item_name__startswith=item)
    return packages


ARCHIVE_ROW = ("pk", "archived_at", "case__number", "item_name", "year", "retention", "size")


def archive_page(user, *, after=None, **filters) -> KeysetPage:
    """One page of the packages, newest first, as rows of ARCHIVE_ROW."""
    rows = archive_packages(user, **filters).select_related(None).values_list(*ARCHIVE_ROW, named=True)
    return keyset_page(rows, order=("-archived_at", "-pk"), after=after)


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
