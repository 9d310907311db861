"""Reads of the hall floor: the calling screen's board, a ticket's place in the queue, a citizen's
bookings, and the figures per hall and day. Each reads an index led by hall and day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Case, Count, Q, Subquery, Value, When

from ..constants import StaffRole, WindowCategory
from ..models import Booking, Hall, StaffAssignment, Ticket, User, WindowSeat
from .clock import floor_today
from .constants import DEFAULT_SERVICE_MINUTES, BookingState, TicketState
from .tickets import waiting_before

LATEST_CALLS = 8


def latest_calls(hall: Hall, day: dt.date, limit: int = LATEST_CALLS) -> list[Ticket]:
    return list(
        Ticket.objects.filter(hall=hall, date=day, last_called_at__isnull=False)
        .select_related("window")
        .order_by("-last_called_at")[:limit]
    )


def waiting_counts(hall: Hall, day: dt.date) -> list[tuple[str, str, int]]:
    """[(category, label, waiting)] for the categories with anyone waiting, in category order."""
    rows = dict(
        Ticket.objects.filter(hall=hall, date=day, state=TicketState.WAITING)
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    return [(value, label, rows[value]) for value, label in WindowCategory.choices if rows.get(value)]


def average_service_minutes(hall: Hall, day: dt.date, category: str) -> float:
    value = Ticket.objects.filter(
        hall=hall, date=day, category=category, state=TicketState.SERVED, service_seconds__isnull=False
    ).aggregate(avg=Avg("service_seconds"))["avg"]
    return (value / 60) if value else DEFAULT_SERVICE_MINUTES


def windows_calling(hall: Hall, category: str) -> int:
    """How many signed-in windows call `category` (at least one, for the estimate)."""
    seats = WindowSeat.objects.filter(window__hall=hall, clerk__isnull=False).select_related("window")
    return max(sum(1 for seat in seats if category in seat.served_categories), 1)


@dataclass
class TicketPlace:
    ahead: int
    minutes: int


def ticket_place(ticket: Ticket) -> TicketPlace:
    """People ahead of a waiting ticket and the estimated wait in minutes."""
    if ticket.state != TicketState.WAITING:
        return TicketPlace(ahead=0, minutes=0)
    ahead = waiting_before(ticket)
    per_person = average_service_minutes(ticket.hall, ticket.date, ticket.category)
    minutes = round(ahead * per_person / windows_calling(ticket.hall, ticket.category))
    return TicketPlace(ahead=ahead, minutes=minutes)


def bookings_for_citizen(citizen: User, *, limit: int = 50) -> list[Booking]:
    """我的预约: the active bookings first (the ones to come to or cancel: never pushed off the page by
    many past or cancelled ones), then the latest others, `limit` in all."""
    active_first = Case(When(state=BookingState.ACTIVE, then=Value(0)), default=Value(1))
    return list(
        Booking.objects.filter(citizen=citizen)
        .select_related("hall", "slot")
        .order_by(active_first, "-date", "-starts_at")[:limit]
    )


# ---- figures ------------------------------------------------------------------------------------


@dataclass
class DayFigures:
    hall: Hall
    day: dt.date
    tickets: int
    served: int
    missed: int
    average_wait_minutes: float | None
    p90_wait_minutes: float | None
    average_service_minutes: float | None
    bookings_kept: int
    no_shows: int


def _p90(queryset, field: str, count: int) -> float | None:
    """The 90th percentile (nearest rank) of `field` over `count` rows: one row read by offset."""
    if not count:
        return None
    rank = max(int(-(-count * 9 // 10)) - 1, 0)  # ceil(0.9 n) - 1
    return queryset.order_by(field).values_list(field, flat=True)[rank]


def _minutes(seconds) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def figures_for_halls(halls: list[Hall], day: dt.date) -> list[DayFigures]:
    """Tickets, waits, service time, missed, bookings kept and no-shows of each hall on one day:
    one grouped aggregate over tickets and one over bookings (the (date, hall, …) indexes), plus
    the percentile row of each hall that had waits."""
    ids = [hall.pk for hall in halls]
    if not ids:
        return []
    tickets = {
        row["hall_id"]: row
        for row in Ticket.objects.filter(date=day, hall_id__in=ids)
        .values("hall_id")
        .annotate(
            total=Count("id"),
            served=Count("id", filter=Q(state=TicketState.SERVED)),
            missed=Count("id", filter=Q(state=TicketState.MISSED)),
            waited=Count("id", filter=Q(wait_seconds__isnull=False)),
            avg_wait=Avg("wait_seconds"),
            avg_service=Avg("service_seconds"),
        )
    }
    bookings = {
        row["hall_id"]: row
        for row in Booking.objects.filter(date=day, hall_id__in=ids)
        .values("hall_id")
        .annotate(
            kept=Count("id", filter=Q(state=BookingState.KEPT)),
            no_shows=Count("id", filter=Q(state=BookingState.NO_SHOW)),
        )
    }
    result = []
    for hall in halls:
        row = tickets.get(hall.pk, {})
        waited = row.get("waited", 0)
        p90 = _p90(Ticket.objects.filter(date=day, hall=hall, wait_seconds__isnull=False), "wait_seconds", waited)
        booked = bookings.get(hall.pk, {})
        result.append(
            DayFigures(
                hall=hall,
                day=day,
                tickets=row.get("total", 0),
                served=row.get("served", 0),
                missed=row.get("missed", 0),
                average_wait_minutes=_minutes(row.get("avg_wait")),
                p90_wait_minutes=_minutes(p90),
                average_service_minutes=_minutes(row.get("avg_service")),
                bookings_kept=booked.get("kept", 0),
                no_shows=booked.get("no_shows", 0),
            )
        )
    return result


def day_figures(hall: Hall, day: dt.date) -> DayFigures:
    return figures_for_halls([hall], day)[0]


def supervised_halls(user: User) -> list[Hall]:
    """The halls in the regions a supervisor watches: their halls' regions and the regions below
    (one query)."""
    if not user.is_authenticated:
        return []
    regions = StaffAssignment.objects.filter(user=user, role=StaffRole.SUPERVISOR).values("hall__region_id")
    return list(
        Hall.objects.filter(Q(region_id__in=Subquery(regions)) | Q(region__parent_id__in=Subquery(regions))).order_by(
            "code"
        )
    )


def figures_for_supervisor(user: User, day: dt.date | None = None) -> list[DayFigures]:
    return figures_for_halls(supervised_halls(user), day or floor_today())
