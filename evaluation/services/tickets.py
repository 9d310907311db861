"""Served queue tickets as rateable visits (一次一评 at the window that served them).

Tickets are served in call order, not in the order their ids were given out, so the watermark here
is the `served_at` of the last ticket read (stored in microseconds): each run reads the tickets
served since then, less a short overlap so that one committed late is not skipped; the unique source
key makes the overlap harmless. A ticket that led to a counter application is the same visit as the
intake: both use the key `ticket:<id>`, so the visit is rated once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from items.models import Item

from ..constants import ServiceKind
from ..models import Service

OVERLAP = dt.timedelta(seconds=30)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _to_micros(moment: dt.datetime) -> int:
    return int((moment - EPOCH) / dt.timedelta(microseconds=1))


def _from_micros(value: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=value)


def collect_served_tickets(ticket_model, result, *, batch: int, now: dt.datetime, open_service) -> None:
    from .collect import _watermark

    with transaction.atomic():
        mark = _watermark("served_tickets")
        since = _from_micros(mark.last_id) - OVERLAP if mark.last_id else None
        tickets = ticket_model.objects.filter(state="served", served_at__isnull=False)
        if since is not None:
            tickets = tickets.filter(date__gte=timezone.localdate(since), served_at__gt=since)
        tickets = list(
            tickets.select_related("hall", "window", "clerk", "person", "booking").order_by("served_at", "pk")[:batch]
        )
        keys = {f"ticket:{t.pk}": t for t in tickets}
        known = set(Service.objects.filter(source_key__in=keys).values_list("source_key", flat=True))
        items = _items([t for key, t in keys.items() if key not in known])
        for key, ticket in keys.items():
            if key in known:
                continue
            open_service(_service_from_ticket(ticket, key, items), result)
        if tickets:
            latest = max(_to_micros(t.served_at) for t in tickets)
            if latest > mark.last_id:
                mark.last_id = latest
                mark.save(update_fields=["last_id", "updated_at"])


def _items(tickets) -> dict[int, Item]:
    ids = {t.booking.item_id for t in tickets if getattr(t, "booking", None) is not None}
    return Item.objects.in_bulk(ids) if ids else {}


def _service_from_ticket(ticket, key: str, items: dict) -> Service:
    booking = getattr(ticket, "booking", None)
    item = items.get(booking.item_id) if booking is not None else None
    label = booking.item_name if booking is not None else ticket.get_category_display()
    department_id = item.department_id if item is not None else None
    return Service(
        kind=ServiceKind.TICKET,
        source_key=key,
        applicant=ticket.person,
        clerk=ticket.clerk,
        window=ticket.window,
        department_id=department_id,
        hall=ticket.hall,
        item=item,
        title=f"{ticket.number} {label}"[:200],
        finished_at=ticket.served_at,
    )
