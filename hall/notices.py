"""Notices: an outbox written in the caller's transaction, delivered by Celery after commit.

1. `notice_queue` writes a `Notice` and one `NoticeDelivery` per channel (inbox always; SMS when the
   recipient has a mobile; e-mail when they have an address) and schedules `notice_send` on commit.
2. `notice_deliver` claims each pending delivery with one UPDATE (pending → sending), sends it through
   the channel's backend and marks it sent; a failure puts it back to pending for a retry with backoff.
   The claim makes a task that runs twice (redelivery after a crash, the sweeper) send once.
3. `notice_sweep` finds deliveries stuck in `sending` (the worker died after claiming) or left pending
   (the task was never enqueued or its retries ran out of time) and queues them again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import get_template
from django.utils import timezone

from .constants import DeliveryStatus, NoticeChannel, StaffRole
from .models import Notice, NoticeDelivery, User

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


def enqueue_send_batches(notice_ids: list[int], *, batch: int = 50) -> None:
    from .tasks import notice_send_batch

    for start in range(0, len(notice_ids), batch):
        chunk = notice_ids[start : start + batch]
        try:
            notice_send_batch.apply_async((chunk,))
        except Exception:  # noqa: BLE001 - any broker error; the sweeper retries
            logger.exception("could not enqueue notices %s…; the sweeper will retry", chunk[:3])


def enqueue_send(notice_id: int, *, countdown: int = 0) -> None:
    """Hand a notice to Celery. A broker outage must not fail the request that caused the notice:
    the row is committed, and the sweeper will queue it again."""
    from .tasks import notice_send

    try:
        notice_send.apply_async((notice_id,), countdown=countdown)
    except Exception:  # noqa: BLE001 - any broker error; the sweeper retries
        logger.exception("could not enqueue notice %s; the sweeper will retry", notice_id)


def _claim(delivery_id: int) -> bool:
    """pending → sending in one UPDATE; True if this caller won the claim."""
    return (
        NoticeDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING, claimed_at=timezone.now()
        )
        == 1
    )


def notice_deliver(*, notice_id: int) -> list[int]:
    """Send every pending channel of one notice. Returns the ids of deliveries that failed and
    should be retried (already back in pending)."""
    from .notice_backends import send_through_channel

    failed = []
    pending = NoticeDelivery.objects.filter(notice_id=notice_id, status=DeliveryStatus.PENDING).values_list(
        "pk", flat=True
    )
    for delivery_id in list(pending):
        if not _claim(delivery_id):
            continue  # another worker has it, or it was sent meanwhile
        delivery = NoticeDelivery.objects.select_related("notice__recipient").get(pk=delivery_id)
        try:
            send_through_channel(delivery)
        except Exception as exc:  # noqa: BLE001 - a backend may raise anything; record it and retry
            logger.warning("notice delivery %s (%s) failed: %s", delivery_id, delivery.channel, exc)
            attempts = delivery.attempts + 1
            NoticeDelivery.objects.filter(pk=delivery_id).update(
                status=DeliveryStatus.FAILED if attempts >= MAX_ATTEMPTS else DeliveryStatus.PENDING,
                attempts=attempts,
                last_error=str(exc)[:500],
            )
            if attempts < MAX_ATTEMPTS:
                failed.append(delivery_id)
            continue
        NoticeDelivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.SENT, sent_at=timezone.now(), attempts=delivery.attempts + 1, last_error=""
        )
    return failed


def retry_countdown(attempt: int) -> int:
    """Backoff between retries: 30 s, 60 s, 120 s, 240 s … capped at one hour (the base is the
    setting TONGBAN_NOTICE_RETRY_SECONDS; the real-worker tests shorten it)."""
    base = int(getattr(settings, "TONGBAN_NOTICE_RETRY_SECONDS", 30))
    return min(base * 2**attempt, 3600)


def notice_sweep(
    *, now=None, stuck_after: timedelta | None = None, pending_after: timedelta | None = None
) -> list[int]:
    """Return stale claims to pending and list the notices that still have unsent deliveries
    older than `pending_after`, so that the caller queues them again."""
    now = now or timezone.now()
    # A claim older than this belongs to a dead worker; a pending row this old lost its task.
    default = timedelta(seconds=int(getattr(settings, "TONGBAN_NOTICE_STUCK_SECONDS", 300)))
    stuck_after = default if stuck_after is None else stuck_after
    pending_after = default if pending_after is None else pending_after
    NoticeDelivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - stuck_after).update(
        status=DeliveryStatus.PENDING
    )
    stale = NoticeDelivery.objects.filter(
        Q(status=DeliveryStatus.PENDING),
        Q(notice__created_at__lt=now - pending_after),
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - pending_after),
    )
    return sorted(set(stale.values_list("notice_id", flat=True)))


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
    return inbox_for_user(user).filter(read_at__isnull=True).count()


def notice_mark_read(*, user: User, notice_ids: list[int] | None = None) -> int:
    """Mark the user's notices read (all of them when no ids are given). Returns how many changed."""
    notices = Notice.objects.filter(recipient=user, read_at__isnull=True)
    if notice_ids is not None:
        notices = notices.filter(pk__in=notice_ids)
    return notices.update(read_at=timezone.now())


def navbar_context(user, assignments=None) -> dict:
    """The unread count for the navbar and, for admins, the years whose calendar is provisional.
    `assignments`: the user's staff assignments when the caller has them already (saves a query)."""
    if user is None or not user.is_authenticated:
        return {}
    context = {"unread_notice_count": unread_count(user)}
    if assignments is None:
        assignments = list(user.assignments.all())
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
