"""Keeping the summary of the ratings (FigureRow) current, inside the caller's transaction.

Every change is an F() increment of one row keyed by a month and the service's hall, department,
item, clerk and window, so two ratings at once add up and no page reads the ratings themselves.
`figures_rebuild` sums the same rows straight from the services, ratings and tickets: the data
migration and the bench generator fill the summary with it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F

from hall.pagecache import generation, generation_bump

from ..constants import OPEN_TICKET_STATES, TicketState
from ..models import FigureRow, RectificationTicket, Service

# The generation of everything cached from the summary: the public page and its figures.
FIGURE_PAGES = "rating-figures"


def figure_key(service: Service, month: dt.date) -> str:
    ids = (service.hall_id, service.department_id, service.item_id, service.clerk_id, service.window_id)
    return f"{month:%Y-%m}:" + ":".join(str(value or 0) for value in ids)


def figure_add(service: Service, *, month: dt.date | None = None, **deltas: int) -> None:
    """Add `deltas` (counter name → change) to the service's summary row of `month` (the service's
    own month unless told), creating the row if needed."""
    deltas = {name: value for name, value in deltas.items() if value}
    if not deltas:
        return
    month = month or service.month
    row, _ = FigureRow.objects.get_or_create(
        key=figure_key(service, month),
        defaults={
            "month": month,
            "hall_id": service.hall_id,
            "department_id": service.department_id,
            "item_id": service.item_id,
            "clerk_id": service.clerk_id,
            "window_id": service.window_id,
        },
    )
    FigureRow.objects.filter(pk=row.pk).update(**{name: F(name) + value for name, value in deltas.items()})
    generation_bump(FIGURE_PAGES)


def figures_generation() -> int:
    return generation(FIGURE_PAGES)


def level_field(level: int) -> str:
    return f"level_{int(level)}"


def ticket_figures(ticket: RectificationTicket) -> dict[str, int]:
    """What one ticket adds to the TICKET_COUNTERS of its opening month, by its state now: nothing
    once an upheld appeal voided it."""
    if ticket.state == TicketState.VOIDED:
        return {}
    rectified = ticket.rectified_at is not None
    return {
        "tickets": 1,
        "tickets_open": int(ticket.state in OPEN_TICKET_STATES),
        "tickets_awaiting_rater": int(ticket.state == TicketState.RECTIFIED),
        "tickets_rectified": int(rectified),
        "tickets_in_time": int(rectified and ticket.rectify_days is not None and not ticket.ever_overdue),
        "tickets_overdue": int(ticket.ever_overdue),
    }


def ticket_figures_move(ticket: RectificationTicket, before: dict[str, int]) -> None:
    """Move the ticket in the summary from `before` (ticket_figures read before the step) to its
    state now, in its opening month's row."""
    after = ticket_figures(ticket)
    deltas = {name: after.get(name, 0) - before.get(name, 0) for name in {*before, *after}}
    figure_add(ticket.service, month=ticket.opened_on.replace(day=1), **deltas)


def figures_rebuild(cursor) -> int:
    """Replace the summary by the sums straight from the services, ratings and tickets (PostgreSQL).

    Per service, in its month: the latest rating counts at its level (a follow-up replaces the first)
    unless an upheld appeal voided that rating's ticket; each voided ticket is one 申诉成立不计入; the
    other tickets count as bad-rating tickets, their fixes and days. Per ticket, in its opening month,
    the TICKET_COUNTERS (ticket_figures). Returns the number of rows written."""
    local = settings.TIME_ZONE
    levels = ", ".join(f"count(*) FILTER (WHERE counted_level = {n})" for n in range(1, 6))
    cursor.execute("DELETE FROM evaluation_figurerow")
    cursor.execute(
        f"""
        WITH per_service AS (
            SELECT s.id, s.month, s.hall_id, s.department_id, s.item_id, s.clerk_id, s.window_id, s.unrated_at,
                   f.id AS first_id, f.level AS first_level,
                   (CASE WHEN u.id IS NOT NULL THEN (CASE WHEN coalesce(ku.state, '') <> 'voided' THEN u.level END)
                         WHEN f.id IS NOT NULL AND coalesce(kf.state, '') <> 'voided' THEN f.level END) AS counted_level
            FROM evaluation_service s
            LEFT JOIN evaluation_rating f ON f.service_id = s.id AND f.kind = 'first'
            LEFT JOIN evaluation_rating u ON u.service_id = s.id AND u.kind = 'follow_up'
            LEFT JOIN evaluation_rectificationticket kf ON kf.rating_id = f.id
            LEFT JOIN evaluation_rectificationticket ku ON ku.rating_id = u.id
        ), service_tickets AS (
            SELECT k.service_id, count(*) FILTER (WHERE k.state = 'voided') AS excluded,
                   count(*) FILTER (WHERE k.state <> 'voided') AS bad_tickets,
                   count(*) FILTER (WHERE k.rectified_at IS NOT NULL) AS rectified,
                   count(*) FILTER (WHERE (k.rectified_at AT TIME ZONE %(local)s)::date <= k.fix_due) AS in_time,
                   coalesce(sum(k.rectify_days) FILTER (WHERE k.rectified_at IS NOT NULL), 0) AS rectify_days
            FROM evaluation_rectificationticket k GROUP BY k.service_id
        ), parts AS (
            SELECT p.month, p.hall_id, p.department_id, p.item_id, p.clerk_id, p.window_id,
                   1 AS services, int4(p.counted_level IS NOT NULL) AS rated, int4(p.unrated_at IS NOT NULL) AS unrated,
                   p.counted_level, coalesce(t.excluded, 0) AS excluded, coalesce(t.bad_tickets, 0) AS bad_tickets,
                   coalesce(t.rectified, 0) AS rectified, coalesce(t.in_time, 0) AS rectified_in_time,
                   coalesce(t.rectify_days, 0) AS rectify_days,
                   int4(p.first_id IS NOT NULL) AS first_rated, int4(coalesce(p.first_level IN (4, 5), false)) AS first_bad,
                   0 AS tickets, 0 AS tickets_open, 0 AS tickets_awaiting_rater, 0 AS tickets_rectified,
                   0 AS tickets_in_time, 0 AS tickets_overdue
            FROM per_service p LEFT JOIN service_tickets t ON t.service_id = p.id
            UNION ALL
            SELECT date_trunc('month', k.opened_on)::date, s.hall_id, s.department_id, s.item_id, s.clerk_id,
                   s.window_id, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 1,
                   int4(k.state IN ('open', 'appealing')), int4(k.state = 'rectified'),
                   int4(k.rectified_at IS NOT NULL),
                   int4(k.rectified_at IS NOT NULL AND k.rectify_days IS NOT NULL AND NOT k.ever_overdue),
                   int4(k.ever_overdue)
            FROM evaluation_rectificationticket k JOIN evaluation_service s ON s.id = k.service_id
            WHERE k.state <> 'voided'
        )
        INSERT INTO evaluation_figurerow (key, month, hall_id, department_id, item_id, clerk_id, window_id,
            services, rated, unrated, level_1, level_2, level_3, level_4, level_5, excluded, bad_tickets, rectified,
            rectified_in_time, rectify_days, first_rated, first_bad, tickets, tickets_open, tickets_awaiting_rater,
            tickets_rectified, tickets_in_time, tickets_overdue)
        SELECT to_char(month, 'YYYY-MM') || ':' || hall_id || ':' || coalesce(department_id, 0) || ':'
                   || coalesce(item_id, 0) || ':' || coalesce(clerk_id, 0) || ':' || coalesce(window_id, 0),
               month, hall_id, department_id, item_id, clerk_id, window_id,
               sum(services), sum(rated), sum(unrated), {levels}, sum(excluded), sum(bad_tickets), sum(rectified),
               sum(rectified_in_time), sum(rectify_days), sum(first_rated), sum(first_bad), sum(tickets),
               sum(tickets_open), sum(tickets_awaiting_rater), sum(tickets_rectified), sum(tickets_in_time),
               sum(tickets_overdue)
        FROM parts GROUP BY month, hall_id, department_id, item_id, clerk_id, window_id""",
        {"local": local},
    )
    return max(cursor.rowcount, 0)
