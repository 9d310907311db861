"""Celery tasks of hall: thin, they take ids and call the services in hall.notices / hall.workdays."""

from celery import shared_task

from . import notices
from .floor.tasks import booking_remind, floor_day_close  # noqa: F401 - registered with the worker


@shared_task(bind=True, acks_late=True, max_retries=notices.MAX_ATTEMPTS)
def notice_send(self, notice_id: int) -> None:
    """Deliver one notice through its channels; retry failed channels with backoff."""
    failed = notices.notice_deliver(notice_id=notice_id)
    if failed:
        raise self.retry(countdown=notices.retry_countdown(self.request.retries))


@shared_task(acks_late=True)
def notice_send_batch(notice_ids: list[int]) -> None:
    """Deliver several notices; each one that has a failed channel is retried on its own."""
    for notice_id in notice_ids:
        if notices.notice_deliver(notice_id=notice_id):
            notices.enqueue_send(notice_id, countdown=notices.retry_countdown(0))


@shared_task(acks_late=True)
def notice_sweep() -> int:
    """Queue again every notice the broker did not take, or with a delivery stuck in sending or left
    pending. Returns how many."""
    return notices.notice_sweep_requeue()
