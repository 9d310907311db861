"""Closing time on the floor: tickets still waiting become missed and bookings nobody came for
become no-shows (DOMAIN.md §7). Run by beat every few minutes; each run finds only what is left
open (indexed by day), so running it twice changes nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..models import Booking, Hall, Ticket
from .booking import bookings_mark_no_show
from .clock import floor_now
from .constants import BookingState, TicketState
from .hours import hours_for
from .tickets import tickets_close


def floor_close_due() -> dict[str, int]:
    """Close every hall-day that has ended: earlier days always; today, each category's waiting
    tickets once its windows have closed (its last period of the day), and the hall's bookings once
    the hall has closed. Returns {"missed": n, "no_shows": m}."""
    now = timezone.localtime(floor_now())
    today = now.date()
    past = set(
        Ticket.objects.filter(date__lt=today, state=TicketState.WAITING).values_list("hall_id", "date").distinct()
    )
    past |= set(
        Booking.objects.filter(date__lt=today, state=BookingState.ACTIVE).values_list("hall_id", "date").distinct()
    )
    halls = {hall.pk: hall for hall in Hall.objects.all()}
    missed = no_shows = 0
    for hall_id, day in sorted(past, key=lambda pair: (pair[1], pair[0])):
        with transaction.atomic():
            missed += tickets_close(hall=halls[hall_id], day=day)
            no_shows += bookings_mark_no_show(hall=halls[hall_id], day=day)
    for hall in halls.values():
        closes: dict[str, object] = {}
        for row in hours_for(hall, today):
            closes[row.category] = max(closes.get(row.category, row.ends_at), row.ends_at)
        still_open = {category for category, ends in closes.items() if now.time() < ends}
        with transaction.atomic():
            missed += tickets_close(hall=hall, day=today, keep_categories=still_open)
            if not still_open:
                no_shows += bookings_mark_no_show(hall=hall, day=today)
    return {"missed": missed, "no_shows": no_shows}
