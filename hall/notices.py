"""Notices: an outbox written in the caller's transaction, delivered by Celery after commit.

1. `notice_queue` writes a `Notice` and one `NoticeDelivery` per channel (inbox always; SMS when the
   recipient has a mobile; e-mail when they have an address) and hands `notice_send` to the broker on
   commit. The hand-over gives up within TONGBAN_NOTICE_ENQUEUE_TIMEOUT (0.1 s) when the broker is
   down, so the request never waits on it, and marks the deliveries (`queue_failed_at`) for the
   sweeper's next round.
2. `notice_deliver` claims each pending delivery with one UPDATE (pending → sending, attempts + 1),
   sends it through the channel's backend with its idempotency key ("tongban-notice-<id>-<channel>",
   the same on every retry and resend) and records the end of the attempt: the delivery's new status
   and one append-only `NoticeDeliveryAttempt` row, in one transaction. That step survives a dropped
   database connection: it closes the broken connection and retries on a fresh one with a short
   backoff, so a send the gateway accepted is not left in `sending` for the sweeper to send again.
   A failure puts the delivery back to pending for a retry with backoff. The claim makes a task that
   runs twice (redelivery after a crash, the sweeper) send once; the key makes a gateway that honours
   it send once even when a delivery is resent after all.
3. `notice_sweep` (every TONGBAN_NOTICE_SWEEP_SECONDS, 15 s) returns stale claims to pending and lists
   the notices to queue again: at once those the broker did not take, after
   TONGBAN_NOTICE_STUCK_SECONDS those stuck in `sending` (the worker died after claiming) or left
   pending (the task was lost). It reads a partial index that holds only unsent deliveries.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.template.loader import get_template
from django.utils import timezone
from kombu.pools import ProducerPool

from .constants import AttemptOutcome, DeliveryStatus, NoticeChannel, StaffRole
from .models import Notice, NoticeDelivery, NoticeDeliveryAttempt, User

logger = logging.getLogger(__name__)

# After this many failed attempts a delivery is marked failed and left for an admin to look at.
MAX_ATTEMPTS = 5


def notice_queue(
    *,
    recipient: User,
    kind: str,
    subject: str,
    body: str,
    link: str = "",
    case_number: str = "",
) -> Notice:
    """Write a notice to the outbox inside the caller's transaction; sending starts after commit."""
    notice = Notice.objects.create(
        recipient=recipient,
        kind=kind,
        subject=subject[:200],
        body=body,
        link=link,
        case_number=case_number,
    )
    NoticeDelivery.objects.bulk_create(_deliveries(notice))
    transaction.on_commit(lambda: enqueue_send(notice.pk))
    return notice


def _deliveries(notice: Notice) -> list[NoticeDelivery]:
    recipient = notice.recipient
    deliveries = [NoticeDelivery(notice=notice, channel=NoticeChannel.INBOX)]
    if recipient.mobile:
        deliveries.append(NoticeDelivery(notice=notice, channel=NoticeChannel.SMS, address=recipient.mobile))
    if recipient.email:
        deliveries.append(NoticeDelivery(notice=notice, channel=NoticeChannel.EMAIL, address=recipient.email))
    return deliveries


@dataclass
class NoticeDraft:
    recipient: User
    kind: str
    subject: str
    body: str
    link: str = ""
    case_number: str = ""


def render_notice(kind: str, context: dict) -> tuple[str, str]:
    """(subject, body) from templates/notices/<kind>_subject.txt and <kind>_body.txt, in Chinese."""
    subject = _template(f"notices/{kind}_subject.txt").render(context).strip()
    body = _template(f"notices/{kind}_body.txt").render(context).strip()
    return subject, body


@cache
def _template(name: str):
    """Compiled once per process: the SLA scan renders a thousand notices in one run."""
    return get_template(name)


def notice_queue_many(drafts: list[NoticeDraft], *, batch: int = 50) -> list[Notice]:
    """Write many notices in a few statements (the SLA scan may raise a thousand warnings at once);
    after commit they are sent in tasks of `batch` notices."""
    notices = Notice.objects.bulk_create(
        [
            Notice(
                recipient=d.recipient,
                kind=d.kind,
                subject=d.subject[:200],
                body=d.body,
                link=d.link,
                case_number=d.case_number,
            )
            for d in drafts
        ]
    )
    NoticeDelivery.objects.bulk_create([delivery for notice in notices for delivery in _deliveries(notice)])
    ids = [notice.pk for notice in notices]
    if ids:
        transaction.on_commit(lambda: enqueue_send_batches(ids, batch=batch))
    return notices


def notice_queue_from_template(
    *, recipient: User, kind: str, context: dict, link: str = "", case_number: str = ""
) -> Notice:
    """Queue a notice whose subject and body come from templates/notices/<kind>_subject.txt and _body.txt."""
    context = {**context, "recipient": recipient, "case_number": case_number, "link": link}
    subject, body = render_notice(kind, context)
    return notice_queue(recipient=recipient, kind=kind, subject=subject, body=body, link=link, case_number=case_number)


def _producer_pool():
    """A pool of broker producers that give up fast: one connection attempt (no retry loop) with
    socket timeouts of half the budget each, so a broker that refuses, is unreachable or hangs costs
    a request at most TONGBAN_NOTICE_ENQUEUE_TIMEOUT. Only the notice hand-over uses it; workers and
    beat keep Celery's own patient connection. One pool per process and broker URL (fork-safe)."""
    from .celery import app

    budget = float(getattr(settings, "TONGBAN_NOTICE_ENQUEUE_TIMEOUT", 0.1))
    url = app.conf.broker_write_url or app.conf.broker_url
    key = (os.getpid(), url, budget)
    pool = _POOLS.get(key)
    if pool is None:
        options = {
            **app.conf.broker_transport_options,
            "max_retries": 0,
            "socket_connect_timeout": budget / 2,
            "socket_timeout": budget / 2,
        }
        connection = app.connection_for_write(url, transport_options=options)
        limit = app.conf.broker_pool_limit or 10
        pool = _POOLS[key] = ProducerPool(connection.Pool(limit=limit), limit=limit)
    return pool, budget


_POOLS: dict = {}


def enqueue_warm_up() -> None:
    """Import the broker transport and finalize the task registry without connecting (web processes
    call it at start), so that no request pays those imports inside its hand-over budget."""
    from . import tasks

    try:
        pool, _budget = _producer_pool()
        transport = pool.connections.connection.transport  # resolving the transport imports its client
        app = tasks.notice_send.app
        app.finalize(auto=True)
        app.amqp.router, app.amqp.queues  # noqa: B018 - built on first use
        if transport.driver_type == "redis":
            from redis.connection import Connection

            Connection()  # the client reads its package metadata once, on its first connection object
    except Exception:  # noqa: BLE001 - only a warm-up: the first hand-over will say what is wrong
        logger.exception("could not prepare the notice hand-over")


def _publish(task, args: tuple, *, countdown: int = 0) -> bool:
    """Hand one task message to the broker, or give up within the budget. True when it was taken."""
    pool, budget = _producer_pool()
    try:
        with pool.acquire(block=True, timeout=budget) as producer:
            task.apply_async(args, countdown=countdown or None, retry=False, producer=producer)
    except Exception as error:  # noqa: BLE001 - any broker error; the sweeper takes over
        logger.warning("broker unavailable (%s): %s not queued, marked for the next sweep", error, task.name)
        return False
    return True


def notice_mark_unqueued(notice_ids: list[int]) -> int:
    """Mark the pending deliveries of notices the broker did not take; the next sweep queues them."""
    try:
        return NoticeDelivery.objects.filter(notice_id__in=notice_ids, status=DeliveryStatus.PENDING).update(
            queue_failed_at=timezone.now()
        )
    except DatabaseError:  # the database is gone too: the sweeper still finds them as stale pending rows
        logger.exception("could not mark notices %s… for the sweeper", notice_ids[:3])
        return 0


def enqueue_send_batches(notice_ids: list[int], *, batch: int = 50) -> list[int]:
    """Hand notices to the broker in tasks of `batch`; a batch the broker does not take is marked for
    the next sweep. Returns the ids that were queued."""
    from .tasks import notice_send_batch

    queued = []
    for start in range(0, len(notice_ids), batch):
        chunk = notice_ids[start : start + batch]
        if _publish(notice_send_batch, (chunk,)):
            queued += chunk
        else:
            notice_mark_unqueued(chunk)
    return queued


def enqueue_send(notice_id: int, *, countdown: int = 0) -> bool:
    """Hand a notice to Celery. A broker outage must not fail, nor hold up, the request that caused
    the notice: the rows are committed; after at most TONGBAN_NOTICE_ENQUEUE_TIMEOUT the notice is
    marked and the next sweep queues it. True when the broker took it."""
    from .tasks import notice_send

    if _publish(notice_send, (notice_id,), countdown=countdown):
        return True
    notice_mark_unqueued([notice_id])
    return False


def _claim(delivery_id: int) -> bool:
    """pending → sending (attempts + 1) in one UPDATE; True if this caller won the claim."""
    return (
        NoticeDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING,
            claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
            queue_failed_at=None,
        )
        == 1
    )


def notice_deliver(*, notice_id: int) -> list[int]:
    """Send every pending channel of one notice. Returns the ids of deliveries that failed and
    should be retried (already back in pending)."""
    from .notice_backends import DUPLICATE, send_through_channel

    failed = []
    pending = NoticeDelivery.objects.filter(notice_id=notice_id, status=DeliveryStatus.PENDING).values_list(
        "pk", flat=True
    )
    for delivery_id in list(pending):
        if not _claim(delivery_id):
            continue  # another worker has it, or it was sent meanwhile
        delivery = NoticeDelivery.objects.select_related("notice__recipient").get(pk=delivery_id)
        started_at = timezone.now()
        try:
            result = send_through_channel(delivery)
        except Exception as exc:  # noqa: BLE001 - a backend may raise anything; record it and retry
            logger.warning("notice delivery %s (%s) failed: %s", delivery_id, delivery.channel, exc)
            if not _record_attempt(delivery, started_at=started_at, outcome=AttemptOutcome.FAILED, error=str(exc)):
                failed.append(delivery_id)
            continue
        outcome = AttemptOutcome.DUPLICATE if result == DUPLICATE else AttemptOutcome.SENT
        _record_attempt(delivery, started_at=started_at, outcome=outcome)
    return failed


# A dropped database connection after the gateway accepted: retry the record on a fresh connection
# after these pauses (seconds) before giving up (the sweeper then resends with the same key).
RECORD_RETRY_PAUSES = (0.05, 0.2, 0.5, 1.0, 2.0)


def _record_attempt(delivery: NoticeDelivery, *, started_at, outcome: str, error: str = "") -> bool:
    """Record the end of one attempt: the delivery's status and its log row, in one transaction,
    retried on a fresh connection when the connection breaks. Returns True when the delivery is done
    (sent, or failed for good), False when it is back in pending for a retry."""
    finished_at = timezone.now()
    for pause in (*RECORD_RETRY_PAUSES, None):
        try:
            with transaction.atomic():
                return _record_attempt_once(
                    delivery, started_at=started_at, finished_at=finished_at, outcome=outcome, error=error
                )
        except (OperationalError, InterfaceError) as exc:
            if pause is None or connection.in_atomic_block:
                raise  # inside the caller's transaction nothing can be retried here
            logger.warning(
                "recording attempt %s of notice delivery %s (%s) lost its database connection (%s); "
                "retrying in %.2f s on a new connection",
                delivery.attempts,
                delivery.pk,
                outcome,
                str(exc).strip(),
                pause,
            )
            try:
                connection.close()  # the next query opens a new connection
            except DatabaseError:
                pass  # closing a dead connection may fail; Django forgets it all the same
            time.sleep(pause)
    raise AssertionError("unreachable")


def _record_attempt_once(delivery: NoticeDelivery, *, started_at, finished_at, outcome: str, error: str) -> bool:
    attempt = delivery.attempts  # the claim counted this attempt
    if NoticeDeliveryAttempt.objects.filter(delivery_id=delivery.pk, attempt=attempt).exists():
        # A retry after the connection broke at COMMIT, which had gone through.
        return outcome != AttemptOutcome.FAILED or attempt >= MAX_ATTEMPTS
    NoticeDeliveryAttempt.objects.create(
        delivery_id=delivery.pk,
        channel=delivery.channel,
        attempt=attempt,
        idempotency_key=delivery.idempotency_key,
        started_at=started_at,
        finished_at=finished_at,
        outcome=outcome,
        error=error[:500],
        worker=f"{socket.gethostname()}:{os.getpid()}"[:100],
    )
    if outcome == AttemptOutcome.FAILED:
        done = attempt >= MAX_ATTEMPTS
        # Only while this attempt's claim holds: a delivery resent meanwhile keeps its newer state.
        NoticeDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=attempt).update(
            status=DeliveryStatus.FAILED if done else DeliveryStatus.PENDING, last_error=error[:500]
        )
        return done
    NoticeDelivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.SENT, sent_at=finished_at, last_error=""
    )
    if delivery.channel == NoticeChannel.INBOX:
        from .usercache import forget_unread

        forget_unread([delivery.notice.recipient_id])
    return True


def retry_countdown(attempt: int) -> int:
    """Backoff between retries: 30 s, 60 s, 120 s, 240 s … capped at one hour (the base is the
    setting TONGBAN_NOTICE_RETRY_SECONDS; the real-worker tests shorten it)."""
    base = int(getattr(settings, "TONGBAN_NOTICE_RETRY_SECONDS", 30))
    return min(base * 2**attempt, 3600)


# Notices queued again by one sweep at most (a long outage at a city's volume is worked off over a
# few sweeps instead of one burst).
SWEEP_LIMIT = 10_000


def notice_sweep(
    *, now=None, stuck_after: timedelta | None = None, pending_after: timedelta | None = None, limit: int = SWEEP_LIMIT
) -> list[int]:
    """Return stale claims to pending and list the notices to queue again: at once those the broker
    did not take (`queue_failed_at`), and those with a delivery left pending longer than
    `pending_after`. Every read goes through the partial index of unsent deliveries."""
    now = now or timezone.now()
    # A claim older than this belongs to a dead worker; a pending row this old lost its task.
    default = timedelta(seconds=int(getattr(settings, "TONGBAN_NOTICE_STUCK_SECONDS", 300)))
    stuck_after = default if stuck_after is None else stuck_after
    pending_after = default if pending_after is None else pending_after
    stale_claims(now - stuck_after).update(status=DeliveryStatus.PENDING)
    notice_ids = set(unqueued_deliveries().values_list("notice_id", flat=True)[:limit])
    if len(notice_ids) < limit:
        notice_ids.update(stale_pending_deliveries(now - pending_after).values_list("notice_id", flat=True)[:limit])
    return sorted(notice_ids)[:limit]


def stale_claims(claimed_before):
    """Deliveries claimed before this moment and still not sent: their worker died."""
    return NoticeDelivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=claimed_before)


def unqueued_deliveries():
    """Pending deliveries of notices the broker did not take."""
    return NoticeDelivery.objects.filter(status=DeliveryStatus.PENDING, queue_failed_at__isnull=False)


def stale_pending_deliveries(before):
    """Pending deliveries of notices created, and not claimed since, before this moment: their task
    was lost (or its retries ran out of time)."""
    return NoticeDelivery.objects.filter(
        Q(status=DeliveryStatus.PENDING),
        Q(notice__created_at__lt=before),
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=before),
    )


def notice_sweep_requeue(*, batch: int = 50) -> int:
    """The sweeper's round: queue again every notice `notice_sweep` lists, in tasks of `batch`, and
    clear the mark of those the broker took. Returns how many notices were queued."""
    queued = enqueue_send_batches(notice_sweep(), batch=batch)
    if queued:
        NoticeDelivery.objects.filter(
            notice_id__in=queued, status=DeliveryStatus.PENDING, queue_failed_at__isnull=False
        ).update(queue_failed_at=None)
    return len(queued)


# Reads for the inbox --------------------------------------------------------------------------


def inbox_for_user(user: User):
    """The notices a user's inbox shows: their own, once delivered to the inbox channel."""
    if not user.is_authenticated:
        return Notice.objects.none()
    return Notice.objects.filter(
        recipient=user,
        deliveries__channel=NoticeChannel.INBOX,
        deliveries__status=DeliveryStatus.SENT,
    )


def unread_count(user: User) -> int:
    """The navbar's count, from the shared cache (hall/usercache.py) or else the database."""
    if not user.is_authenticated:
        return 0
    count = getattr(user, "_unread_notice_count", None)
    if count is None:
        from .usercache import load

        load(user, need="_unread_notice_count")
        count = user._unread_notice_count
    return count


def unread_count_query(user: User) -> int:
    return inbox_for_user(user).filter(read_at__isnull=True).count()


def notice_mark_read(*, user: User, notice_ids: list[int] | None = None) -> int:
    """Mark the user's notices read (all of them when no ids are given). Returns how many changed."""
    from .usercache import forget_unread

    notices = Notice.objects.filter(recipient=user, read_at__isnull=True)
    if notice_ids is not None:
        notices = notices.filter(pk__in=notice_ids)
    changed = notices.update(read_at=timezone.now())
    forget_unread([user.pk])
    user._unread_notice_count = None
    return changed


def navbar_context(user, assignments=None) -> dict:
    """The unread count for the navbar and, for admins, the years whose calendar is provisional.
    `assignments`: the user's staff assignments when the caller has them already (saves a query)."""
    if user is None or not user.is_authenticated:
        return {}
    context = {"unread_notice_count": unread_count(user)}
    if assignments is None:
        from .selectors import staff_assignments

        assignments = staff_assignments(user)
    if user.is_superuser or any(a.role == StaffRole.SYSTEM_ADMIN for a in assignments):
        context["calendar_warning_years"] = calendar_warning_years()
    return context


def calendar_warning_years() -> list[int]:
    """Years needing an admin's entry, cached for ten minutes (the banner is on every page)."""
    from django.core.cache import cache

    from .workdays import years_without_official_calendar

    years = cache.get("tongban:calendar_warning_years")
    if years is None:
        years = years_without_official_calendar(timezone.localdate())
        cache.set("tongban:calendar_warning_years", years, 600)
    return years
