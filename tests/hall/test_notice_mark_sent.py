"""The mark-sent step survives a dropped database connection: after the gateway accepted an SMS the
worker's connection breaks; the attempt is recorded on a fresh connection, so the delivery is not
left in "sending" for the sweeper to send again, and when even that fails the resend carries the
same idempotency key and the gateway sends once. Transactional: a broken connection cannot be
recovered inside the test's own transaction."""

import datetime as dt

import psycopg2
import pytest
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from hall import notices
from hall.constants import AttemptOutcome, DeliveryStatus, NoticeChannel
from hall.notice_backends import FileSmsGateway
from hall.notices import notice_deliver, notice_queue, notice_sweep

pytestmark = pytest.mark.django_db(transaction=True)


class DroppingGateway(FileSmsGateway):
    """Accepts the SMS, then the worker's database connection drops (once): `how` is "close" (the
    socket is gone: InterfaceError) or "terminate" (the server ends the session: OperationalError)."""

    path_for_tests = ""
    how = "close"
    dropped = 0

    def __init__(self):
        super().__init__(self.path_for_tests)

    def send(self, *, mobile, text, idempotency_key):
        result = super().send(mobile=mobile, text=text, idempotency_key=idempotency_key)
        if not DroppingGateway.dropped:
            DroppingGateway.dropped += 1
            if self.how == "close":
                connection.connection.close()
            else:
                _terminate(connection.connection.get_backend_pid())
        return result


def _terminate(pid: int) -> None:
    db = connection.settings_dict
    other = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"] or 5432
    )
    other.autocommit = True
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()


@pytest.fixture
def gateway(settings, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("drops a PostgreSQL connection")
    DroppingGateway.path_for_tests = str(tmp_path / "sms.log")
    DroppingGateway.dropped = 0
    settings.TONGBAN_SMS_BACKEND = "tests.hall.test_notice_mark_sent.DroppingGateway"
    monkeypatch.setattr(notices, "RECORD_RETRY_PAUSES", (0.01, 0.05, 0.1))
    return tmp_path / "sms.log"


def queue_sms_only(user):
    notice = notice_queue(recipient=user, kind="case_accepted", subject="您的申请已受理", body="请留意。")
    notice.deliveries.exclude(channel=NoticeChannel.SMS).update(status=DeliveryStatus.SENT)
    return notice


@pytest.mark.parametrize("how", ["close", "terminate"])
def test_mark_sent_is_retried_on_a_new_connection(cast, gateway, how, caplog):
    DroppingGateway.how = how
    notice = queue_sms_only(cast.citizen)
    assert notice_deliver(notice_id=notice.pk) == []
    assert DroppingGateway.dropped == 1
    sms = notice.deliveries.get(channel=NoticeChannel.SMS)
    assert sms.status == DeliveryStatus.SENT and sms.attempts == 1
    assert list(sms.attempt_log.values_list("attempt", "outcome")) == [(1, AttemptOutcome.SENT)]
    assert "lost its database connection" in caplog.text
    # Nothing for the sweeper, however late it looks: the SMS went out once.
    assert notice_sweep(now=timezone.now() + dt.timedelta(hours=1)) == []
    assert len(gateway.read_text(encoding="utf-8").splitlines()) == 1


def test_a_record_that_keeps_failing_leaves_the_resend_to_the_key(cast, gateway, monkeypatch):
    """The database stays away longer than the retries: the delivery stays "sending"; the sweeper
    resends it with the same key and the gateway does not send it again."""
    DroppingGateway.dropped = 1  # only the record fails here, the gateway keeps the connection
    notice = queue_sms_only(cast.citizen)
    real = notices._record_attempt_once
    calls = []

    def down(*args, **kwargs):
        calls.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(notices, "_record_attempt_once", down)
    with pytest.raises(OperationalError):
        notice_deliver(notice_id=notice.pk)
    assert len(calls) == len(notices.RECORD_RETRY_PAUSES) + 1
    sms = notice.deliveries.get(channel=NoticeChannel.SMS)
    assert sms.status == DeliveryStatus.SENDING and not sms.attempt_log.exists()

    monkeypatch.setattr(notices, "_record_attempt_once", real)
    later = timezone.now() + dt.timedelta(hours=1)
    assert notice_sweep(now=later) == [notice.pk]  # the stale claim is back in pending
    notice_deliver(notice_id=notice.pk)
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.SENT and sms.attempts == 2
    assert list(sms.attempt_log.values_list("attempt", "outcome")) == [(2, AttemptOutcome.DUPLICATE)]
    assert len(gateway.read_text(encoding="utf-8").splitlines()) == 1  # one SMS reached the citizen


def test_first_record_raises_interface_error_then_succeeds(cast, gateway, monkeypatch):
    """The record's first try fails before reaching the database; the second records the attempt once."""
    DroppingGateway.dropped = 1  # the gateway itself does not drop anything here
    notice = queue_sms_only(cast.citizen)
    real = notices._record_attempt_once
    tries = []

    def flaky(*args, **kwargs):
        tries.append(1)
        if len(tries) == 1:
            raise InterfaceError("connection already closed")
        return real(*args, **kwargs)

    monkeypatch.setattr(notices, "_record_attempt_once", flaky)
    notice_deliver(notice_id=notice.pk)
    sms = notice.deliveries.get(channel=NoticeChannel.SMS)
    assert len(tries) == 2 and sms.status == DeliveryStatus.SENT
    assert sms.attempt_log.count() == 1
