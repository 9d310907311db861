"""Notices: outbox rows in the caller's transaction, claimed sends (a task run twice sends once),
retries, the sweeper, channels and Chinese templates."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from hall import notices
from hall.constants import DeliveryStatus, NoticeChannel
from hall.models import Notice, NoticeDelivery
from hall.notices import notice_deliver, notice_queue, notice_queue_from_template, notice_sweep
from hall.tasks import notice_send
from hall.tasks import notice_sweep as notice_sweep_task

SENT: list[tuple[str, str]] = []


class RecordingSms:
    def send(self, *, mobile, text):
        SENT.append((mobile, text))


class FailingSms:
    def send(self, *, mobile, text):
        raise ConnectionError("短信网关无响应")


@pytest.fixture(autouse=True)
def sms(settings):
    SENT.clear()
    settings.TONGBAN_SMS_BACKEND = "tests.hall.test_notices.RecordingSms"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def queue(user, **kwargs):
    defaults = {
        "kind": "case_accepted",
        "subject": "您的申请已受理",
        "body": "请留意办理进度。",
        "case_number": "JC26112300001",
    }
    return notice_queue(recipient=user, **{**defaults, **kwargs})


def test_queue_writes_outbox_rows_and_sends_after_commit(cast, django_capture_on_commit_callbacks, monkeypatch):
    cast.citizen.email = "zhangsan@example.cn"
    cast.citizen.save()
    enqueued = []
    monkeypatch.setattr(notices, "enqueue_send", lambda notice_id, countdown=0: enqueued.append(notice_id))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice = queue(cast.citizen)
        assert not enqueued  # nothing leaves before the transaction commits
    channels = set(notice.deliveries.values_list("channel", flat=True))
    assert channels == {NoticeChannel.INBOX, NoticeChannel.SMS, NoticeChannel.EMAIL}
    assert len(callbacks) == 1
    callbacks[0]()
    assert enqueued == [notice.pk]


def test_rolled_back_event_leaves_no_notice(cast):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue(cast.citizen)
        raise RuntimeError("the event failed")
    assert not Notice.objects.exists()


def test_deliver_sends_each_channel_once_even_when_run_twice(cast):
    cast.citizen.email = "zhangsan@example.cn"
    cast.citizen.save()
    notice = queue(cast.citizen)
    assert notice_deliver(notice_id=notice.pk) == []
    assert notice_deliver(notice_id=notice.pk) == []
    notice_send.apply(args=(notice.pk,))
    assert len(SENT) == 1 and len(mail.outbox) == 1
    mobile, text = SENT[0]
    assert mobile == cast.citizen.mobile
    assert text.startswith("【阳江通办】您的申请已受理") and "JC26112300001" in text
    assert "阳江市政务服务" in mail.outbox[0].subject and "请留意办理进度" in mail.outbox[0].body
    assert set(notice.deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_claimed_delivery_is_not_sent_by_another_run(cast):
    notice = queue(cast.citizen)
    sms = notice.deliveries.get(channel=NoticeChannel.SMS)
    assert notices._claim(sms.pk)
    notice_deliver(notice_id=notice.pk)
    assert SENT == []  # the other worker holds the claim
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.SENDING


def test_failure_goes_back_to_pending_then_fails_after_max_attempts(cast, settings):
    settings.TONGBAN_SMS_BACKEND = "tests.hall.test_notices.FailingSms"
    notice = queue(cast.citizen)
    sms = notice.deliveries.get(channel=NoticeChannel.SMS)
    assert notice_deliver(notice_id=notice.pk) == [sms.pk]
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.PENDING and sms.attempts == 1 and "短信网关" in sms.last_error
    assert notice.deliveries.get(channel=NoticeChannel.INBOX).status == DeliveryStatus.SENT
    for _ in range(notices.MAX_ATTEMPTS - 1):
        notice_deliver(notice_id=notice.pk)
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.FAILED and sms.attempts == notices.MAX_ATTEMPTS


@pytest.mark.parametrize("attempt, seconds", [(0, 30), (1, 60), (3, 240), (10, 3600)])
def test_backoff(attempt, seconds):
    assert notices.retry_countdown(attempt) == seconds


def test_sweeper_returns_stale_claims_and_lists_old_pending(cast):
    fresh = queue(cast.citizen)
    stuck = queue(cast.citizen)
    old = timezone.now() - dt.timedelta(minutes=30)
    Notice.objects.filter(pk=stuck.pk).update(created_at=old)
    NoticeDelivery.objects.filter(notice=stuck, channel=NoticeChannel.SMS).update(
        status=DeliveryStatus.SENDING, claimed_at=old
    )
    assert notice_sweep() == [stuck.pk]
    assert stuck.deliveries.get(channel=NoticeChannel.SMS).status == DeliveryStatus.PENDING
    assert fresh.pk not in notice_sweep()


def test_sweeper_task_requeues(cast, monkeypatch):
    stuck = queue(cast.citizen)
    Notice.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    sent = []
    monkeypatch.setattr(notices, "_publish", lambda task, args, countdown=0: sent.append((task.name, args)) or True)
    assert notice_sweep_task.apply().get() == 1
    assert sent == [("hall.tasks.notice_send_batch", ([stuck.pk],))]


def test_broker_outage_does_not_fail_the_caller(cast, monkeypatch, django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(notice_send, "apply_async", broken)
    with django_capture_on_commit_callbacks(execute=True):
        notice = queue(cast.citizen)  # the on-commit enqueue meets the outage: logged, not raised
    deliveries = NoticeDelivery.objects.filter(notice=notice)
    assert deliveries.exists()
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert not deliveries.filter(claimed_at__isnull=False).exists()
    # The sweeper finds it once it is older than the grace period, and queues it again.
    later = timezone.now() + dt.timedelta(hours=1)
    assert notice.pk in notice_sweep(now=later)


def test_template_notice_in_chinese(cast):
    from types import SimpleNamespace

    from cases.clock import ClockReading
    from cases.clock_words import clock_words

    reading = ClockReading("decision", dt.date(2026, 11, 20), "overdue", -2, None, False)
    context = {"case": SimpleNamespace(number="JC26110200001"), "reading": reading, "audience": "staff"}
    notice = notice_queue_from_template(
        recipient=cast.approver,
        kind="clock_warning",
        context={**context, "words": clock_words(reading)},
        case_number="JC26110200001",
    )
    assert notice.subject == "【已超期】办结期限预警"
    assert "2026年11月20日" in notice.body and "已超期2个工作日" in notice.body
