"""Reads of the hall floor: the calling screen's board, a ticket's place in the queue, a citizen's
bookings, and the figures per hall and day. Each reads an index led by hall and day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Q

from ..constants import StaffRole, WindowCategory
from ..models import Booking, Hall, Region, Ticket, User, WindowSeat
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
    return list(
        Booking.objects.filter(citizen=citizen).select_related("hall", "slot").order_by("-date", "-starts_at")[:limit]
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


def day_figures(hall: Hall, day: dt.date) -> DayFigures:
    """Tickets, waits, service time, missed, bookings kept and no-shows of one hall on one day:
    three aggregates on the (date, hall, …) indexes plus the percentile row."""
    tickets = Ticket.objects.filter(hall=hall, date=day)
    row = tickets.aggregate(
        total=Count("id"),
        served=Count("id", filter=Q(state=TicketState.SERVED)),
        missed=Count("id", filter=Q(state=TicketState.MISSED)),
        waited=Count("id", filter=Q(wait_seconds__isnull=False)),
        avg_wait=Avg("wait_seconds"),
        avg_service=Avg("service_seconds"),
    )
    waited = tickets.filter(wait_seconds__isnull=False)
    p90 = _p90(waited, "wait_seconds", row["waited"])
    bookings = Booking.objects.filter(hall=hall, date=day).aggregate(
        kept=Count("id", filter=Q(state=BookingState.KEPT)),
        no_shows=Count("id", filter=Q(state=BookingState.NO_SHOW)),
    )

    def minutes(seconds):
        return None if seconds is None else round(seconds / 60, 1)

    return DayFigures(
        hall=hall,
        day=day,
        tickets=row["total"],
        served=row["served"],
        missed=row["missed"],
        average_wait_minutes=minutes(row["avg_wait"]),
        p90_wait_minutes=minutes(p90),
        average_service_minutes=minutes(row["avg_service"]),
        bookings_kept=bookings["kept"],
        no_shows=bookings["no_shows"],
    )


def supervised_halls(user: User) -> list[Hall]:
    """The halls in the regions a supervisor watches: their halls' regions and the regions below."""
    if not user.is_authenticated:
        return []
    region_ids = set(user.assignments.filter(role=StaffRole.SUPERVISOR).values_list("hall__region_id", flat=True))
    if not region_ids:
        return []
    below = set(Region.objects.filter(parent_id__in=region_ids).values_list("pk", flat=True))
    return list(Hall.objects.filter(region_id__in=region_ids | below).order_by("code"))


def figures_for_supervisor(user: User, day: dt.date | None = None) -> list[DayFigures]:
    day = day or floor_today()
    return [day_figures(hall, day) for hall in supervised_halls(user)]
