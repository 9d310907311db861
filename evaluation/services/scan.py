"""The ratings scan (Celery beat, with the cases' SLA scan cadence):
1. services past their rating window without a first rating are counted 未评价 once (a conditional
   UPDATE: a rating or a second scan at the same moment cannot double it), read through the
   partial index of services still awaiting a rating;
2. open rectification tickets due within a working day are read through the partial index of open
   tickets; each whose warning level changed is stored and the responsible side is told (the
   supervisors too at red and overdue), once per level.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.constants import WarningLevel
from hall.workdays import add_working_days

from ..constants import OPEN_TICKET_STATES, TicketStepKind
from ..models import RectificationTicket, Service
from .figures import figure_add, ticket_figures, ticket_figures_move
from .rectification import _notify_staff, _step, ticket_clock_recompute

BATCH = 1000
ALERT_LEVELS = (WarningLevel.YELLOW, WarningLevel.RED, WarningLevel.OVERDUE)


@dataclass
class ScanResult:
    unrated: int = 0
    tickets_scanned: int = 0
    levels_changed: int = 0


def ratings_scan(*, now: dt.datetime | None = None) -> ScanResult:
    now = now or timezone.now()
    result = ScanResult()
    result.unrated = unrated_sweep(now=now)
    tickets_scan(result, today=timezone.localdate(now))
    return result


def unrated_sweep(*, now: dt.datetime, batch: int = BATCH) -> int:
    counted = 0
    due = Service.objects.filter(rated_at__isnull=True, unrated_at__isnull=True, rating_due__lt=now)
    for service in due.order_by("rating_due")[:batch]:
        with transaction.atomic():
            changed = Service.objects.filter(pk=service.pk, rated_at__isnull=True, unrated_at__isnull=True).update(
                unrated_at=now
            )
            if changed:
                figure_add(service, unrated=1)
                counted += 1
    return counted


def tickets_scan(result: ScanResult, *, today: dt.date) -> None:
    horizon = add_working_days(today, 1)
    tickets = (
        RectificationTicket.objects.filter(state__in=OPEN_TICKET_STATES, next_due__lte=horizon)
        .select_related("service__case", "clerk", "rating")
        .order_by("next_due", "pk")
    )
    for ticket in tickets:
        result.tickets_scanned += 1
        before, figures_before = ticket.warning_level, ticket_figures(ticket)
        ticket_clock_recompute(ticket, today=today)
        if ticket.warning_level == before:
            continue
        with transaction.atomic():
            # Unchanged since it was read (its level and whether it was ever overdue, all the summary
            # knows of an open ticket), or left for the next scan: the summary moves it once.
            changed = RectificationTicket.objects.filter(
                pk=ticket.pk, warning_level=before, ever_overdue=bool(figures_before["tickets_overdue"]),
                state__in=OPEN_TICKET_STATES,
            ).update(warning_level=ticket.warning_level, ever_overdue=ticket.ever_overdue)  # fmt: skip
            if not changed:
                continue
            result.levels_changed += 1
            ticket_figures_move(ticket, figures_before)
            if ticket.warning_level in ALERT_LEVELS:
                label = WarningLevel(ticket.warning_level).label
                _step(ticket, TicketStepKind.WARNED, note=str(label))
                _notify_staff(
                    ticket,
                    subject=_("差评整改%(level)s：工单 #%(pk)s") % {"level": label, "pk": ticket.pk},
                    body=_("整改期限 %(due)s，请尽快处理。") % {"due": f"{ticket.next_due:%Y-%m-%d}"},
                    supervisors=ticket.warning_level in (WarningLevel.RED, WarningLevel.OVERDUE),
                )
