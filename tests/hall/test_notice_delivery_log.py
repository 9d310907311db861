"""The notice delivery log and idempotency keys: one append-only row per send attempt; every send
carries the key notice × channel, which the SMS backends honour (a gateway handed the same key twice
sends once) and e-mail carries as its Message-ID; the tally counts deliveries sent twice and lost."""

import logging

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction

from hall.checks import sms_backend_check
from hall.constants import AttemptOutcome, DeliveryStatus, NoticeChannel
from hall.models import ImmutableError, NoticeDelivery, NoticeDeliveryAttempt
from hall.notice_backends import DUPLICATE, FileSmsGateway, LogSmsBackend
from hall.notices import notice_deliver, notice_queue
from hall.selectors import notice_deliveries_with_attempts, notice_delivery_tally

pytestmark = pytest.mark.django_db

HANDED: list[dict] = []


class KeyedSms:
    def send(self, *, mobile, text, idempotency_key):
        HANDED.append({"mobile": mobile, "key": idempotency_key})


class FlakySms:
    """Fails the first hand-over, then accepts."""

    def send(self, *, mobile, text, idempotency_key):
        HANDED.append({"mobile": mobile, "key": idempotency_key})
        if len(HANDED) == 1:
            raise ConnectionError("短信网关无响应")


class OldContractSms:
    def send(self, *, mobile, text):
        HANDED.append({"mobile": mobile, "key": None})


class FileGateway(FileSmsGateway):
    path_for_tests = ""

    def __init__(self):
        super().__init__(self.path_for_tests)


@pytest.fixture(autouse=True)
def backends(settings):
    HANDED.clear()
    settings.TONGBAN_SMS_BACKEND = "tests.hall.test_notice_delivery_log.KeyedSms"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def queue(user):
    return notice_queue(recipient=user, kind="case_accepted", subject="您的申请已受理", body="请留意。")


def test_each_attempt_is_logged_with_the_key_of_its_notice_and_channel(cast):
    cast.citizen.email = "zhangsan@example.cn"
    cast.citizen.save()
    notice = queue(cast.citizen)
    notice_deliver(notice_id=notice.pk)
    rows = NoticeDeliveryAttempt.objects.filter(delivery__notice=notice)
    assert {row.channel for row in rows} == {NoticeChannel.INBOX, NoticeChannel.SMS, NoticeChannel.EMAIL}
    for row in rows:
        assert row.attempt == 1 and row.outcome == AttemptOutcome.SENT and row.error == ""
        assert row.idempotency_key == f"tongban-notice-{notice.pk}-{row.channel}"
        assert row.started_at <= row.finished_at and row.worker
    assert HANDED == [{"mobile": cast.citizen.mobile, "key": f"tongban-notice-{notice.pk}-sms"}]
    assert set(notice.deliveries.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}


def test_a_failed_attempt_is_logged_and_the_retry_carries_the_same_key(cast, settings):
    settings.TONGBAN_SMS_BACKEND = "tests.hall.test_notice_delivery_log.FlakySms"
    notice = queue(cast.citizen)
    sms = notice.deliveries.get(channel=NoticeChannel.SMS)
    assert notice_deliver(notice_id=notice.pk) == [sms.pk]
    assert notice_deliver(notice_id=notice.pk) == []
    log = list(sms.attempt_log.values_list("attempt", "outcome", "error"))
    assert log == [(1, AttemptOutcome.FAILED, "短信网关无响应"), (2, AttemptOutcome.SENT, "")]
    assert HANDED[0]["key"] == HANDED[1]["key"] == sms.idempotency_key
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.SENT and sms.attempts == 2 and sms.last_error == ""


def test_the_log_is_append_only(cast):
    notice = queue(cast.citizen)
    notice_deliver(notice_id=notice.pk)
    row = NoticeDeliveryAttempt.objects.filter(delivery__notice=notice).first()
    row.outcome = AttemptOutcome.FAILED
    with pytest.raises(ImmutableError):
        row.save()
    with pytest.raises(ImmutableError):
        row.delete()
    with pytest.raises(ImmutableError):
        NoticeDeliveryAttempt.objects.filter(pk=row.pk).update(error="x")
    with pytest.raises(ImmutableError):
        NoticeDeliveryAttempt.objects.all().delete()
    if connection.vendor == "postgresql":  # the database refuses too, whatever the client
        for sql in ("UPDATE hall_noticedeliveryattempt SET error = 'x'", "DELETE FROM hall_noticedeliveryattempt"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    assert NoticeDeliveryAttempt.objects.filter(pk=row.pk, outcome=AttemptOutcome.SENT).exists()


def test_deleting_a_notice_keeps_its_log(cast):
    notice = queue(cast.citizen)
    notice_deliver(notice_id=notice.pk)
    before = NoticeDeliveryAttempt.objects.count()
    notice.delete()
    assert NoticeDeliveryAttempt.objects.count() == before


def test_a_resent_delivery_reaches_the_gateway_with_its_key_and_is_sent_once(cast, settings, tmp_path):
    """The sweeper's resend of a delivery the gateway had accepted: the gateway sends it once."""
    FileGateway.path_for_tests = str(tmp_path / "sms.log")
    settings.TONGBAN_SMS_BACKEND = "tests.hall.test_notice_delivery_log.FileGateway"
    notice = queue(cast.citizen)
    notice_deliver(notice_id=notice.pk)
    sms = notice.deliveries.get(channel=NoticeChannel.SMS)
    NoticeDelivery.objects.filter(pk=sms.pk).update(status=DeliveryStatus.PENDING)  # as after a lost mark-sent
    notice_deliver(notice_id=notice.pk)
    lines = (tmp_path / "sms.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    mobile, key, text = lines[0].split("\t")
    assert (mobile, key) == (cast.citizen.mobile, sms.idempotency_key) and text.startswith("【阳江通办】")
    assert (tmp_path / "sms.log.duplicates").read_text().split("\t")[0] == sms.idempotency_key
    assert list(sms.attempt_log.values_list("attempt", "outcome")) == [
        (1, AttemptOutcome.SENT),
        (2, AttemptOutcome.DUPLICATE),
    ]
    tally = notice_delivery_tally(notice_ids=[notice.pk], channel=NoticeChannel.SMS)
    assert (tally.sent, tally.sent_twice, tally.duplicates_suppressed, tally.lost) == (1, 0, 1, 0)


def test_log_backend_sends_a_key_once(caplog):
    backend = LogSmsBackend()
    with caplog.at_level(logging.INFO, logger="tongban.sms"):
        assert backend.send(mobile="13800138000", text="测试", idempotency_key="tongban-notice-9-sms-t") is None
        assert backend.send(mobile="13800138000", text="测试", idempotency_key="tongban-notice-9-sms-t") == DUPLICATE
    assert [r.getMessage().startswith("SMS to 138***8000") for r in caplog.records] == [True, False]


def test_email_carries_the_key_as_a_stable_message_id(cast):
    cast.citizen.email = "zhangsan@example.cn"
    cast.citizen.save()
    notice = queue(cast.citizen)
    notice_deliver(notice_id=notice.pk)
    message = mail.outbox[0].message()
    assert message["Message-ID"] == f"<tongban-notice-{notice.pk}-email@tongban.example>"
    assert message["X-Idempotency-Key"] == f"tongban-notice-{notice.pk}-email"
    assert mail.outbox[0].alternatives  # the HTML part is still there


def test_a_backend_of_the_older_contract_is_still_called_and_the_check_warns(cast, settings):
    assert sms_backend_check() == []
    settings.TONGBAN_SMS_BACKEND = "tests.hall.test_notice_delivery_log.OldContractSms"
    notice = queue(cast.citizen)
    notice_deliver(notice_id=notice.pk)
    assert HANDED == [{"mobile": cast.citizen.mobile, "key": None}]
    assert notice.deliveries.get(channel=NoticeChannel.SMS).status == DeliveryStatus.SENT
    assert [w.id for w in sms_backend_check()] == ["hall.W002"]


def test_tally_counts_sent_twice_and_lost(cast):
    sent_once, doubled, waiting = queue(cast.citizen), queue(cast.citizen), queue(cast.citizen)
    notice_deliver(notice_id=sent_once.pk)
    notice_deliver(notice_id=doubled.pk)
    sms = doubled.deliveries.get(channel=NoticeChannel.SMS)
    first = sms.attempt_log.get()
    # A second accepted attempt, as a gateway without de-duplication would have sent it.
    NoticeDeliveryAttempt.objects.create(
        delivery=sms,
        channel=sms.channel,
        attempt=2,
        idempotency_key=sms.idempotency_key,
        started_at=first.started_at,
        finished_at=first.finished_at,
        outcome=AttemptOutcome.SENT,
    )
    ids = [sent_once.pk, doubled.pk, waiting.pk]
    tally = notice_delivery_tally(notice_ids=ids)
    assert (tally.deliveries, tally.sent, tally.lost, tally.failed) == (6, 4, 2, 0)
    assert (tally.sent_twice, tally.attempts, tally.duplicates_suppressed) == (1, 5, 0)
    assert notice_delivery_tally(since=waiting.created_at).deliveries == 2
    per_delivery = {d.pk: d.sent_attempts for d in notice_deliveries_with_attempts(notice_ids=ids)}
    assert per_delivery[sms.pk] == 2 and sorted(per_delivery.values()) == [0, 0, 1, 1, 1, 2]
