"""The ratings' open-work reads go through the partial indexes that hold only that work (DESIGN.md
"Lists at a city's volume"): the scan of open tickets, the 未评价 sweep, the tablet's latest service;
and the database itself keeps ratings append-only."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from evaluation.constants import OPEN_TICKET_STATES
from evaluation.models import RectificationTicket, Service

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
