"""Finding the finished services (一次一评, 一事一评) and inviting the person served to rate them.

`services_collect` runs every minute (Celery beat) and whenever a window tablet loads its page:
1. locks its watermark row (two runs at once take turns), then reads the case events after the
   watermark through the primary key: counter intake (窗口收件), delivery at the result window
   (窗口取件) and every delivered matter (一事一评);
2. reads the served queue tickets of the hall floor the same way, when the floor is installed;
3. creates one `Service` per source row (the unique `source_key` makes a second run a no-op) and, for
   a service with a known applicant, a single-use token and an invitation notice with the link;
4. moves the watermark only past rows older than a short lag: an event whose id was taken before a
   slower transaction committed is read again next time instead of being skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.constants import EventKind
from cases.models import CaseEvent
from hall.constants import StaffRole
from hall.models import StaffAssignment
from hall.notices import notice_queue
from hall.pdf import absolute_url

from ..constants import RatingChannel, ServiceKind, TokenPurpose
from ..models import CollectWatermark, RatingToken, Service
from ._common import month_of, rating_window_days, token_link
from .figures import figure_add

# An event newer than this may still have a slower neighbour with a lower id about to commit.
WATERMARK_LAG = dt.timedelta(seconds=30)
BATCH = 500
# Event kinds whose services are rated. Delivery at a result window may come as its own kind.
PICKUP_KINDS = ("picked_up", "pickup", "result_picked_up")
EVENT_KINDS = [EventKind.COUNTER_RECEIVED, EventKind.DELIVERED, *PICKUP_KINDS]
DECISION_KINDS = [EventKind.GRANTED, EventKind.DENIED]


@dataclass
class CollectResult:
    services: int = 0
    invitations: int = 0


def services_collect(*, batch: int = BATCH, now: dt.datetime | None = None) -> CollectResult:
    """Create the rateable services of the events and tickets since the last run (idempotent)."""
    now = now or timezone.now()
    result = CollectResult()
    _collect_case_events(result, batch=batch, now=now)
    _collect_tickets(result, batch=batch, now=now)
    return result


def _watermark(source: str) -> CollectWatermark:
    CollectWatermark.objects.get_or_create(source=source)
    return CollectWatermark.objects.select_for_update().get(source=source)


def _advance(mark: CollectWatermark, rows: list, now: dt.datetime, moment) -> None:
    """Move the watermark to the last row before the first one younger than the lag."""
    last = mark.last_id
    for row in rows:
        if moment(row) is None or moment(row) > now - WATERMARK_LAG:
            break
        last = row.pk
    if last != mark.last_id:
        mark.last_id = last
        mark.save(update_fields=["last_id", "updated_at"])


def _collect_case_events(result: CollectResult, *, batch: int, now: dt.datetime) -> None:
    with transaction.atomic():
        mark = _watermark("case_events")
        events = list(
            CaseEvent.objects.filter(pk__gt=mark.last_id, kind__in=EVENT_KINDS)
            .select_related(
                "actor",
                "case__item_version__item",
                "case__bundle",
                "case__receiving_hall",
                "case__applicant",
                "case__parent__bundle",
            )
            .order_by("pk")[:batch]
        )
        known = set(
            Service.objects.filter(source_key__in=[key for e in events for key in _event_keys(e)]).values_list(
                "source_key", flat=True
            )
        )
        windows: dict = {}
        for event in events:
            for kind, key in _event_services(event):
                if key in known:
                    continue
                service = _service_from_event(event, kind, key, windows)
                _service_open(service, result)
                known.add(key)
        _advance(mark, events, now, lambda e: e.created_at)


def _event_keys(event) -> list[str]:
    return [key for _, key in _event_services(event)]


def _event_services(event) -> list[tuple[str, str]]:
    """The services one event finishes: (kind, source key). A bundle's results are picked up and
    rated together (一件事一评): pickup and matter are keyed by the case the applicant follows."""
    case = event.case
    if event.kind == EventKind.COUNTER_RECEIVED:
        # A walk-in who came with a queue ticket: the intake and the served ticket are one visit.
        ticket_id = getattr(case, "ticket_id", None)
        return [(ServiceKind.COUNTER_INTAKE, f"ticket:{ticket_id}" if ticket_id else f"event:{event.pk}")]
    top = case.parent_id or case.pk
    services = []
    if event.kind in PICKUP_KINDS or (event.kind == EventKind.DELIVERED and _is_pickup(event)):
        services.append((ServiceKind.PICKUP, f"pickup:{top}"))
    if event.kind == EventKind.DELIVERED:
        services.append((ServiceKind.MATTER, f"matter:{top}"))
    return services


def _is_pickup(event) -> bool:
    """Delivered at a result window: the result clerk handed it over (not by post or online)."""
    method = getattr(event.case, "delivery_method", "")
    if method and method != "pickup":
        return False
    return event.role == StaffRole.RESULT_CLERK


def _window_of(clerk_id, hall_id, roles, cache: dict):
    key = (clerk_id, hall_id)
    if key not in cache:
        assignment = (
            StaffAssignment.objects.filter(user_id=clerk_id, hall_id=hall_id, role__in=roles, window__isnull=False)
            .select_related("window")
            .first()
        )
        cache[key] = assignment.window if assignment else None
    return cache[key]


def _decider(case):
    event = case.events.filter(kind__in=DECISION_KINDS).select_related("actor").order_by("-pk").first()
    return event.actor if event else None


def _service_from_event(event, kind: str, key: str, windows: dict) -> Service:
    case = event.case
    if kind != ServiceKind.COUNTER_INTAKE and case.parent_id:
        case = case.parent
    hall = event.hall or case.receiving_hall
    version = case.item_version
    clerk = event.actor
    window = None
    if kind == ServiceKind.COUNTER_INTAKE:
        window = _window_of(clerk.pk, hall.pk, [StaffRole.WINDOW_CLERK], windows) if clerk else None
    elif kind == ServiceKind.PICKUP:
        window = _window_of(clerk.pk, hall.pk, [StaffRole.RESULT_CLERK], windows) if clerk else None
    else:
        # 一事一评: whoever decided the matter answers for it, at the hall that received it.
        hall = case.receiving_hall
        clerk = _decider(case) or clerk
    return Service(
        kind=kind,
        source_key=key,
        applicant=case.applicant,
        case=case,
        clerk=clerk,
        window=window,
        department_id=case.owning_department_id,
        hall=hall,
        item=version.item if version is not None else None,
        title=case.title[:200],
        finished_at=event.created_at,
    )


def _collect_tickets(result: CollectResult, *, batch: int, now: dt.datetime) -> None:
    """Served queue tickets (the hall floor), when it is installed: a ticket is one 一次一评 visit."""
    try:
        ticket_model = apps.get_model("hall", "Ticket")
    except LookupError:
        return
    if not hasattr(ticket_model, "served_at"):
        return
    from .tickets import collect_served_tickets

    collect_served_tickets(ticket_model, result, batch=batch, now=now, open_service=_service_open)


def _service_open(service: Service, result: CollectResult) -> Service:
    """Save a new service with its month and rating window, count it, and invite the applicant."""
    service.month = month_of(service.finished_at)
    service.rating_due = service.finished_at + dt.timedelta(days=rating_window_days(service.hall))
    service.save()
    figure_add(service, services=1)
    result.services += 1
    if service.applicant_id is not None:
        invitation_send(service)
        result.invitations += 1
    return service


def invitation_send(service: Service) -> RatingToken:
    """A single-use token bound to the service and the notice carrying its link (inbox and SMS)."""
    token = RatingToken.objects.create(
        service=service,
        purpose=TokenPurpose.INVITATION,
        channel=RatingChannel.SMS,
        expires_at=service.rating_due,
    )
    link = token_link(token)
    body = _(
        "您好，您在%(hall)s办理的“%(title)s”（%(kind)s）已完成。请对本次服务作出评价：%(link)s 。评价截止于%(due)s。"
    ) % {
        "hall": service.hall.name,
        "title": service.title or service.get_kind_display(),
        "kind": service.get_kind_display(),
        "link": absolute_url(link),  # the SMS needs the whole address
        "due": timezone.localtime(service.rating_due).strftime("%Y-%m-%d %H:%M"),
    }
    notice_queue(
        recipient=service.applicant,
        kind="rating_invitation",
        subject=_("请对本次政务服务作出评价"),
        body=body,
        link=link,
        case_number=(service.case.number or "") if service.case_id else "",
    )
    return token
