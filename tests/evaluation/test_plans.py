"""The ratings' open-work reads go through the partial indexes that hold only that work (DESIGN.md
"Lists at a city's volume"): the scan of open tickets, the 未评价 sweep, the tablet's latest service;
and the database itself keeps ratings append-only."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from evaluation.constants import OPEN_TICKET_STATES
from evaluation.models import FigureRow, RectificationTicket, Service

from .helpers import counter_service, rate

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans"),
]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE evaluation_service")
        cursor.execute("ANALYZE evaluation_rectificationticket")
        cursor.execute("ANALYZE evaluation_figurerow")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


def test_open_ticket_scan_reads_the_open_ticket_index(cast):
    rate(counter_service(cast), 4)
    horizon = timezone.localdate() + dt.timedelta(days=3)
    qs = RectificationTicket.objects.filter(state__in=OPEN_TICKET_STATES, next_due__lte=horizon).order_by(
        "next_due", "pk"
    )
    assert "eval_ticket_open_due" in _plan(qs)


def test_unrated_sweep_reads_the_awaiting_index(cast):
    counter_service(cast)
    qs = Service.objects.filter(rated_at__isnull=True, unrated_at__isnull=True, rating_due__lt=timezone.now()).order_by(
        "rating_due"
    )
    assert "eval_service_awaiting" in _plan(qs)


def test_tablet_reads_the_window_index(cast):
    service = counter_service(cast)
    qs = Service.objects.filter(window_id=service.window_id, finished_at__gte=timezone.now() - dt.timedelta(minutes=30))
    assert "eval_service_window_finished" in _plan(qs.order_by("-finished_at", "-pk"))


def test_database_refuses_changing_or_deleting_a_rating(cast):
    from django.db import DatabaseError, transaction

    rating = rate(counter_service(cast), 2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE evaluation_rating SET level = 1 WHERE id = %s", [rating.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM evaluation_rating WHERE id = %s", [rating.pk])


def test_double_zero_reads_only_the_summary_rows_holding_tickets(cast):
    rate(counter_service(cast), 4)
    rate(counter_service(cast), 1)
    since = timezone.localdate().replace(month=1, day=1)
    for scope in ({"hall_id": cast.halls["JC"].pk}, {"department_id": cast.market_jc.pk}):
        # Either partial index of the rows holding tickets (on a tiny table the planner takes either).
        assert "figure_ticket_" in _plan(FigureRow.objects.filter(tickets__gt=0, month__gte=since, **scope))


def test_assessment_reads_the_clerks_month_of_the_summary(cast):
    rate(counter_service(cast), 2)
    qs = FigureRow.objects.filter(clerk_id__in=[cast.clerk.pk], month=timezone.localdate().replace(day=1))
    assert "figure_clerk_month" in _plan(qs)
