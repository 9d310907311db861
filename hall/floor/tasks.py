"""Celery tasks of the hall floor: thin, they call the services (run by beat, see settings)."""

from celery import shared_task

from .booking import bookings_remind
from .closing import floor_close_due


@shared_task(acks_late=True)
def floor_day_close() -> dict:
    """Tickets still waiting at closing become missed; bookings nobody came for become no-shows."""
    return floor_close_due()


@shared_task(acks_late=True)
def booking_remind() -> int:
    """Remind everyone booked for tomorrow (once each)."""
    return bookings_remind()
