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
from .hours import closing_time
from .tickets import tickets_close


def floor_close_due() -> dict[str, int]:
    """Close every hall-day that has ended: earlier days always, today once past the hall's latest
    closing time. Returns {"missed": n, "no_shows": m}."""
    now = timezone.localtime(floor_now())
    today = now.date()
    pairs = set(
        Ticket.objects.filter(date__lt=today, state=TicketState.WAITING).values_list("hall_id", "date").distinct()
    )
    pairs |= set(
        Booking.objects.filter(date__lt=today, state=BookingState.ACTIVE).values_list("hall_id", "date").distinct()
    )
    halls = {hall.pk: hall for hall in Hall.objects.all()}
    for hall in halls.values():
        closes = closing_time(hall, today)
        if closes is None or now.time() >= closes:
            pairs.add((hall.pk, today))
    missed = no_shows = 0
    for hall_id, day in sorted(pairs, key=lambda pair: (pair[1], pair[0])):
        with transaction.atomic():
            missed += tickets_close(hall=halls[hall_id], day=day)
            no_shows += bookings_mark_no_show(hall=halls[hall_id], day=day)
    return {"missed": missed, "no_shows": no_shows}
