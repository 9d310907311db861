"""Reads of the ratings app, already scoped to the caller."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions as case_permissions
from hall.constants import StaffRole
from hall.paging import keyset_page_of_union
from hall.selectors import staff_assignments

from .constants import OPEN_TICKET_STATES, RatingKind, TicketState, TokenPurpose
from .models import FigureRow, Rating, RatingDevice, RatingToken, RectificationTicket, Service
from .permissions import supervised_regions

# Who sees which tickets -------------------------------------------------------------------------


def supervised_hall_ids(user) -> set[int]:
    """The halls in the regions a supervisor watches (their halls' regions and the counties below); read
    once per user object (one request), as its assignments are: a page asks for them once per list."""
    cached = getattr(user, "_supervised_hall_ids", None)
    if cached is not None:
        return cached
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    regions = supervised_regions(user)
    halls = set()
    if regions:
        from hall.models import Hall

        halls = set(Hall.objects.filter(region_id__in=regions).values_list("pk", flat=True))
    user._supervised_hall_ids = halls
    return halls


def ticket_scope_branches(user) -> list[Q]:
    """Tickets a staff member may see, one condition per way: their own (rated clerk), their
    department's (approvers) and those of the halls they supervise. Empty for everyone else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    branches = [Q(clerk_id=user.pk)]
    departments = case_permissions.departments_with_role(user, StaffRole.APPROVER)
    if departments:
        branches.append(Q(department_id__in=departments))
    # One branch per hall: each reads along the hall's own index in the list's order (an IN over
    # several halls would sort all their tickets).
    branches.extend(Q(hall_id=hall) for hall in sorted(supervised_hall_ids(user)))
    return branches


def ticket_scope(user) -> Q | None:
    """The tickets a staff member may see, as one condition (None for everyone else)."""
    branches = ticket_scope_branches(user)
    if not branches:
        return None
    scope = branches[0]
    for branch in branches[1:]:
        scope |= branch
    return scope


def can_see_tickets(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(
        case_permissions.departments_with_role(user, StaffRole.APPROVER)
        or case_permissions.regions_with_role(user, StaffRole.SUPERVISOR)
        or any(a.role in (StaffRole.WINDOW_CLERK, StaffRole.RESULT_CLERK) for a in staff_assignments(user))
    )


def _tickets() -> QuerySet:
    return RectificationTicket.objects.select_related(
        "rating__rater", "service__case", "hall", "department", "clerk", "window"
    )


def tickets_for_user(user) -> QuerySet:
    scope = ticket_scope(user)
    if scope is None:
        return RectificationTicket.objects.none()
    return _tickets().filter(scope)


def get_ticket_for_user(user, pk) -> RectificationTicket:
    """The ticket with what its page shows, in two reads of a few tables each: one query joining all
    twelve took several times longer for PostgreSQL to plan than to run. Of the accounts and the case
    the page shows names and numbers only (the rater's mobile aside): the encrypted identifiers are
    left unread, not decrypted (SM4) for nothing."""
    scope = ticket_scope(user)
    ticket = None
    if scope is not None:
        ticket = (
            RectificationTicket.objects.filter(scope, pk=pk)
            .select_related("hall", "department", "clerk", "window")
            .defer("clerk__id_number", "clerk__mobile")
            .first()
        )
    if ticket is None:
        raise Http404
    rating = (
        Rating.objects.select_related("rater", "service__case")
        .defer("rater__id_number", "service__case__agent_id_number", "service__case__delivery_address",
               "service__case__delivery_mobile")
        .get(pk=ticket.rating_id)
    )  # fmt: skip
    ticket.rating, ticket.service = rating, rating.service
    # The service's hall, window and clerk are the ticket's own: it copied them when it opened.
    for name in ("hall", "window", "clerk"):
        if getattr(rating.service, f"{name}_id") == getattr(ticket, f"{name}_id"):
            setattr(rating.service, name, getattr(ticket, name))
    return ticket


# A ticket list's row: what the list shows of the ticket, its rating, service, department and clerk.
TICKET_ROW = (
    "pk",
    "state",
    "next_due",
    "opened_at",
    "warning_level",
    "rating__level_label",
    "service__title",
    "service__kind",
    "service__case__number",
    "department__name",
    "clerk__real_name",
)


def _ticket_row_branches(user) -> list[QuerySet]:
    """The user's tickets as rows of TICKET_ROW, one queryset per way they may see them: a page is read
    from each along its own index (keyset_page_of_union) instead of sorting every ticket of the scope."""
    return [
        RectificationTicket.objects.filter(branch).values_list(*TICKET_ROW, named=True)
        for branch in ticket_scope_branches(user)
    ]


def open_tickets_page(user, *, after: str | None = None, size: int = 25):
    """Open tickets, the most urgent first (the indexes of tickets by state and due date), as rows of
    TICKET_ROW."""
    branches = [qs.filter(state__in=OPEN_TICKET_STATES) for qs in _ticket_row_branches(user)]
    return keyset_page_of_union(branches, order=("next_due", "pk"), after=after, size=size)


def ledger_page(user, *, after: str | None = None, size: int = 25):
    """整改台账: every ticket in scope, newest first, as rows of TICKET_ROW."""
    return keyset_page_of_union(_ticket_row_branches(user), order=("-opened_at", "-pk"), after=after, size=size)


# The applicant --------------------------------------------------------------------------------


def services_for_case(case) -> list[Service]:
    """The case's services with their ratings, as the case page's ratings section lists them: each with
    its window's number (not its hall or clerk, which the section does not name: the clerk is an account
    whose personal fields would be decrypted for nothing)."""
    return list(
        Service.objects.filter(case=case)
        .select_related("window")
        .prefetch_related("ratings")
        .order_by("finished_at", "pk")
    )


def get_service_for_applicant(user, pk) -> Service:
    service = Service.objects.select_related("hall", "window", "clerk", "case").filter(pk=pk).first()
    if service is None or user is None or service.applicant_id != user.pk:
        raise Http404
    return service


def rating_state(service: Service) -> dict:
    """What the applicant may do now: rate, follow up, or nothing."""
    ratings = {r.kind: r for r in service.ratings.all()}
    first = ratings.get(RatingKind.FIRST)
    now = timezone.now()
    can_rate = first is None and service.unrated_at is None and service.rating_due and service.rating_due > now
    can_follow_up = False
    if first is not None and RatingKind.FOLLOW_UP not in ratings:
        ticket = RectificationTicket.objects.filter(rating=first).first()
        can_follow_up = ticket is None or ticket.state not in OPEN_TICKET_STATES
    return {"first": first, "follow_up": ratings.get(RatingKind.FOLLOW_UP), "can_rate": bool(can_rate),
            "can_follow_up": can_follow_up}  # fmt: skip


# The window tablet ------------------------------------------------------------------------------


def tablet_device(key: str) -> RatingDevice:
    device = RatingDevice.objects.select_related("window__hall").filter(key=key, is_active=True).first()
    if device is None:
        raise Http404
    return device


def tablet_service(device: RatingDevice, *, now: dt.datetime | None = None) -> Service | None:
    """The service just finished at the device's window and not yet rated (within the last
    TONGBAN_TABLET_RECENT_MINUTES), read through the (window, finished_at) index."""
    now = now or timezone.now()
    recent = now - dt.timedelta(minutes=int(getattr(settings, "TONGBAN_TABLET_RECENT_MINUTES", 30)))
    latest = (
        Service.objects.filter(window_id=device.window_id, finished_at__gte=recent, finished_at__lte=now)
        .select_related("clerk", "hall", "window")
        .order_by("-finished_at", "-pk")
        .first()
    )
    if latest is None or latest.rated_at is not None:
        return None
    return latest


def tablet_token(service: Service, *, minutes: int = 30) -> RatingToken:
    """The tablet's unused token for this service, or a new one (reloading the page reuses it)."""
    from .constants import RatingChannel

    now = timezone.now()
    token = (
        RatingToken.objects.filter(
            service=service, channel=RatingChannel.TABLET, used_at__isnull=True, expires_at__gt=now
        )
        .order_by("-pk")
        .first()
    )
    if token is None:
        token = RatingToken.objects.create(
            service=service,
            purpose=TokenPurpose.INVITATION,
            channel=RatingChannel.TABLET,
            expires_at=min(service.rating_due, now + dt.timedelta(minutes=minutes)),
        )
    return token


# Supervision ----------------------------------------------------------------------------------

UNITS = {
    "clerk": ("clerk_id", "clerk__real_name"),
    "window": ("window_id", "window__number"),
    "department": ("department_id", "department__name"),
    "hall": ("hall_id", "hall__name"),
}


def open_ticket_counts(user) -> dict:
    qs = tickets_for_user(user).filter(state__in=OPEN_TICKET_STATES)
    counts = qs.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(warning_level="overdue")),
        red=Count("pk", filter=Q(warning_level="red")),
        yellow=Count("pk", filter=Q(warning_level="yellow")),
        appealing=Count("pk", filter=Q(state=TicketState.APPEALING)),
    )
    return {key: value or 0 for key, value in counts.items()}


def double_zero(user, unit: str, *, since: dt.date | None = None) -> list[dict]:
    """双归零 per unit: bad ratings cleared (no ticket waiting for an answer or for the rater's
    confirmation) and causes cleared (no ticket still open or under appeal). Voided tickets (upheld
    appeals) are left out. Read from the summary rows (FigureRow's ticket counters, by the month the
    ticket was opened: `since` is the first day of a month), scoped like the tickets themselves."""
    key, label = UNITS[unit]
    scope = ticket_scope(user)
    if scope is None:
        return []
    # Only the rows that hold tickets (a unit with none has no line).
    rows = FigureRow.objects.filter(scope, tickets__gt=0)
    if since is not None:
        rows = rows.filter(month__gte=since)
    fields = [key, label] + (["window__hall__name"] if unit == "window" else [])
    rows = (
        rows.values(*fields)
        .annotate(
            total=Sum("tickets"),
            causes_open=Sum("tickets_open"),
            ratings_open=Sum("tickets_open") + Sum("tickets_awaiting_rater"),
            overdue=Sum("tickets_overdue"),
        )
        .order_by("-causes_open", "-ratings_open", label)
    )
    result = []
    for row in rows:
        name = row[label]
        if unit == "window" and name is not None:
            name = _("%(hall)s %(number)s号窗口") % {"hall": row["window__hall__name"], "number": name}
        result.append({
            "name": name or "—",
            "total": row["total"],
            "causes_open": row["causes_open"],
            "ratings_open": row["ratings_open"],
            "overdue": row["overdue"],
            "cleared": row["causes_open"] == 0 and row["ratings_open"] == 0,
        })  # fmt: skip
    return result
