"""Handing notices to the broker: a broker that is down costs the request at most the enqueue budget
(TONGBAN_NOTICE_ENQUEUE_TIMEOUT, 0.1 s) and marks the notice; the sweeper queues marked notices at
its next round, without waiting for TONGBAN_NOTICE_STUCK_SECONDS, and reads only the partial index of
unsent deliveries."""

import datetime as dt
import socket
import time
from contextlib import contextmanager

import pytest
from django.db import connection
from django.utils import timezone

from hall import notices
from hall.celery import app
from hall.constants import DeliveryStatus, NoticeChannel
from hall.models import NoticeDelivery
from hall.notices import (
    NoticeDraft,
    enqueue_send,
    notice_deliver,
    notice_queue,
    notice_queue_many,
    notice_sweep,
    notice_sweep_requeue,
)

pytestmark = pytest.mark.django_db

# Nothing listens on 8649; the silent broker listens on 8648 (the tests' port range).
DEAD_BROKER = "redis://127.0.0.1:8649/1"


@contextmanager
def broker_at(url):
    """Point the notice hand-over at another broker for the duration."""
    saved = app.conf.broker_write_url
    app.conf.broker_write_url = url
    try:
        yield
    finally:
        app.conf.broker_write_url = saved


@pytest.fixture(autouse=True)
def sms(settings):
    settings.TONGBAN_SMS_BACKEND = "hall.notice_backends.LogSmsBackend"


def queue(user):
    return notice_queue(recipient=user, kind="case_accepted", subject="您的申请已受理", body="请留意。")


@pytest.fixture
def silent_broker():
    """A broker that hangs: it takes connections and never answers."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 8648))
    listener.listen(64)
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/1"
    listener.close()


@pytest.mark.parametrize("broker", ["refused", "silent"])
def test_a_dead_broker_costs_the_request_under_the_budget_and_marks_the_notice(
    cast, broker, request, django_capture_on_commit_callbacks
):
    url = DEAD_BROKER if broker == "refused" else request.getfixturevalue("silent_broker")
    with broker_at(url):
        enqueue_send(0)  # the first hand-over of a process imports the transport; not what we measure
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            notice = queue(cast.citizen)
        started = time.perf_counter()
        callbacks[0]()  # what the request runs after its commit
        elapsed = time.perf_counter() - started
    print(f"enqueue gave up on {url} after {elapsed * 1000:.1f} ms")
    assert elapsed < 0.3  # the budget is 0.1 s; the margin is for a loaded machine
    deliveries = NoticeDelivery.objects.filter(notice=notice)
    assert all(d.queue_failed_at is not None for d in deliveries)
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.PENDING}


def test_a_dead_broker_marks_every_notice_of_a_batch(cast, django_capture_on_commit_callbacks):
    drafts = [NoticeDraft(recipient=cast.citizen, kind="clock_warning", subject=f"预警{i}", body="…") for i in range(3)]
    with broker_at(DEAD_BROKER), django_capture_on_commit_callbacks(execute=True):
        batch = notice_queue_many(drafts, batch=2)
    marked = NoticeDelivery.objects.filter(notice__in=batch, queue_failed_at__isnull=False)
    assert marked.count() == NoticeDelivery.objects.filter(notice__in=batch).count() > 0


def test_the_sweeper_takes_a_marked_notice_at_once(cast, monkeypatch):
    monkeypatch.setattr(notices, "_publish", lambda task, args, countdown=0: False)
    marked = queue(cast.citizen)
    enqueue_send(marked.pk)
    fresh = queue(cast.citizen)  # queued fine a moment ago: its task is on its way
    assert notice_sweep() == [marked.pk]  # no waiting for TONGBAN_NOTICE_STUCK_SECONDS (300 s)
    assert fresh.pk not in notice_sweep()


def test_a_sweep_that_queues_clears_the_mark_and_one_that_cannot_keeps_it(cast, monkeypatch):
    marked = queue(cast.citizen)
    NoticeDelivery.objects.filter(notice=marked).update(queue_failed_at=timezone.now())
    monkeypatch.setattr(notices, "_publish", lambda task, args, countdown=0: False)
    assert notice_sweep_requeue() == 0
    assert NoticeDelivery.objects.filter(notice=marked, queue_failed_at__isnull=True).count() == 0
    published = []
    monkeypatch.setattr(notices, "_publish", lambda task, args, countdown=0: published.append(args) or True)
    assert notice_sweep_requeue() == 1
    assert published == [([marked.pk],)]
    assert not NoticeDelivery.objects.filter(notice=marked, queue_failed_at__isnull=False).exists()
    assert notice_sweep() == []  # queued: back to the ordinary grace period


def test_claiming_clears_the_mark(cast):
    notice = queue(cast.citizen)
    NoticeDelivery.objects.filter(notice=notice).update(queue_failed_at=timezone.now())
    notice_deliver(notice_id=notice.pk)
    assert not NoticeDelivery.objects.filter(notice=notice, queue_failed_at__isnull=False).exists()


def test_the_sweeper_queues_at_most_its_limit(cast):
    first, second = queue(cast.citizen), queue(cast.citizen)
    NoticeDelivery.objects.filter(notice__in=[first, second]).update(queue_failed_at=timezone.now())
    assert len(notice_sweep(limit=1)) == 1
    assert notice_sweep(limit=5) == [first.pk, second.pk]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE hall_noticedelivery")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_every_sweep_read_goes_through_the_index_of_unsent_deliveries(cast):
    notice = queue(cast.citizen)
    notice_deliver(notice_id=notice.pk)
    queue(cast.citizen)
    now = timezone.now()
    for queryset in (
        notices.stale_claims(now - dt.timedelta(minutes=5)),
        notices.unqueued_deliveries(),
        notices.stale_pending_deliveries(now - dt.timedelta(minutes=5)),
    ):
        assert "notice_delivery_unsent" in _plan(queryset)


def test_sms_of_a_marked_notice_is_still_sent_once_by_its_task(cast, monkeypatch):
    """A hand-over that timed out after the broker took the message after all: the task and the
    sweep's task both run; the claim lets one of them send."""
    monkeypatch.setattr(notices, "_publish", lambda task, args, countdown=0: False)
    notice = queue(cast.citizen)
    enqueue_send(notice.pk)
    notice_deliver(notice_id=notice.pk)
    notice_deliver(notice_id=notice.pk)
    sms = notice.deliveries.get(channel=NoticeChannel.SMS)
    assert sms.status == DeliveryStatus.SENT and sms.attempt_log.count() == 1
