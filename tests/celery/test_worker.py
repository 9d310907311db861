"""Against a real Celery worker on Redis: a queued notice is delivered; a worker killed mid-batch
and restarted loses nothing and duplicates nothing; one test per task type (send, sweeper, SLA
scan, calendar recompute)."""

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction

from cases.models import Case
from hall.constants import DayKind, DeliveryStatus, NoticeChannel
from hall.models import ClockWarning, Notice, NoticeDelivery
from hall.notices import notice_queue
from hall.workdays import calendar_seed, workdays_changed, working_day_update
from tests.cases.factories import CaseFactory
from tests.factories import CitizenFactory

from .conftest import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def all_sent(notice_ids) -> bool:
    return not NoticeDelivery.objects.filter(notice_id__in=notice_ids).exclude(status=DeliveryStatus.SENT).exists()


def test_queued_notice_is_delivered(cast, worker_factory):
    worker = worker_factory().start()
    with transaction.atomic():
        notice = notice_queue(recipient=cast.citizen, kind="case_accepted", subject="您的申请已受理", body="请留意。")
    wait_for(lambda: all_sent([notice.pk]), message="the notice to be sent")
    assert [line.split("\t")[0] for line in worker.sms_lines()] == [cast.citizen.mobile]
    assert "【阳江通办】您的申请已受理" in worker.sms_lines()[0]
    inbox = NoticeDelivery.objects.get(notice=notice, channel=NoticeChannel.INBOX)
    assert inbox.status == DeliveryStatus.SENT and inbox.attempts == 1


def test_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(demo, worker_factory):
    citizens = [CitizenFactory() for _ in range(10)]
    hang_on = citizens[4].mobile
    worker = worker_factory(TONGBAN_TEST_SMS_HANG_ON=hang_on).start()
    with transaction.atomic():
        ids = [
            notice_queue(recipient=c, kind="case_accepted", subject=f"通知{i}", body="批量发送").pk
            for i, c in enumerate(citizens)
        ]
    hanging = worker.sms_log.with_name("sms.log.hanging")
    wait_for(hanging.exists, message="the worker to reach the fifth SMS")
    worker.kill()  # SIGKILL in the middle of sending the fifth SMS: no ack, no cleanup
    stuck = NoticeDelivery.objects.get(notice_id=ids[4], channel=NoticeChannel.SMS)
    assert stuck.status == DeliveryStatus.SENDING
    assert len(worker.sms_lines()) == 4
    assert not all_sent(ids)

    restarted = worker_factory().start()  # the same SMS log, no hang this time
    wait_for(lambda: all_sent(ids[5:]), message="the rest of the batch")

    # The claim of the killed send is stale after TONGBAN_NOTICE_STUCK_SECONDS: the sweeper resends it.
    from hall.tasks import notice_sweep

    def swept() -> bool:
        notice_sweep.delay()
        return all_sent(ids)

    wait_for(swept, interval=3, message="the sweeper to resend the killed notice")
    sent = Counter(line.split("\t")[0] for line in restarted.sms_lines())
    assert sent == Counter(c.mobile for c in citizens)  # every SMS exactly once
    assert NoticeDelivery.objects.filter(notice_id__in=ids, status=DeliveryStatus.SENT).count() == 20


def test_failed_sms_is_retried_with_backoff(cast, worker_factory):
    worker = worker_factory(TONGBAN_TEST_SMS_FAIL_FIRST="2", TONGBAN_NOTICE_RETRY_SECONDS="1").start()
    with transaction.atomic():
        notice = notice_queue(recipient=cast.citizen, kind="case_accepted", subject="重试测试", body="…")
    wait_for(lambda: all_sent([notice.pk]), message="the third attempt to succeed")
    sms = NoticeDelivery.objects.get(notice=notice, channel=NoticeChannel.SMS)
    assert sms.attempts == 3 and sms.last_error == ""
    assert len(worker.sms_lines()) == 1
    assert worker.log().count("Retry in") == 2  # 1 s, then 2 s


def test_sweeper_task_resends_a_notice_whose_task_was_lost(cast, worker_factory):
    worker = worker_factory().start()
    notice = Notice.objects.create(recipient=cast.citizen, kind="x", subject="丢失的任务", body="…")
    NoticeDelivery.objects.create(notice=notice, channel=NoticeChannel.SMS, address=cast.citizen.mobile)
    Notice.objects.filter(pk=notice.pk).update(created_at=notice.created_at - dt.timedelta(minutes=10))
    from hall.tasks import notice_sweep

    notice_sweep.delay()
    wait_for(lambda: all_sent([notice.pk]), message="the sweeper's resend")
    assert len(worker.sms_lines()) == 1


def test_sla_scan_task(cast, worker_factory):
    calendar_seed(years=[2026, 2027])
    today = dt.date.today()
    case = CaseFactory(submitted=True, intake_due=today - dt.timedelta(days=7))
    Case.objects.filter(pk=case.pk).update(next_due=case.intake_due)
    worker_factory().start()
    from cases.tasks import sla_scan

    sla_scan.delay()
    wait_for(lambda: ClockWarning.objects.filter(case_id=case.pk, level="overdue").exists(), message="the scan")
    notices = Notice.objects.filter(case_number=case.number, kind="clock_warning")
    wait_for(lambda: all_sent(notices.values_list("pk", flat=True)), message="the warning notices")
    assert {n.recipient.username for n in notices} >= {"jc_clerk", "jc_supervisor"}
    assert Case.objects.get(pk=case.pk).warning_level == "overdue"


def test_sla_scan_task_accepts_by_law(cast, worker_factory):
    """Art. 32 on a real worker: an application untouched past its 5 working days is accepted on receipt."""
    from django.utils import timezone

    from cases.clock import case_clock_recompute
    from cases.tasks import sla_scan
    from tests.cases.helpers import submitted_case

    calendar_seed(years=[2026, 2027])
    case = submitted_case(cast)
    received = case.received_at - dt.timedelta(days=14)
    Case.objects.filter(pk=case.pk).update(received_at=received)
    case.refresh_from_db()
    case_clock_recompute(case)
    Case.objects.filter(pk=case.pk).update(intake_due=case.intake_due, next_due=case.next_due)
    worker_factory().start()

    sla_scan.delay()
    wait_for(lambda: Case.objects.get(pk=case.pk).accepted_by_law, message="the acceptance by law")
    case.refresh_from_db()
    assert case.state == "accepted" and case.accepted_on == timezone.localdate(received)
    assert case.events.filter(kind="accepted_by_law", actor__isnull=True).count() == 1
    assert Notice.objects.filter(kind="case_accepted_by_law", recipient=cast.citizen).exists()


def test_calendar_edit_recompute_task(cast, worker_factory):
    calendar_seed(years=[2026, 2027])
    case = CaseFactory(accepted=True, accepted_on=dt.date(2026, 11, 23))
    from cases.clock import case_clock_recompute

    case_clock_recompute(case)
    Case.objects.filter(pk=case.pk).update(decision_due=case.decision_due, next_due=case.next_due)
    assert case.decision_due == dt.date(2026, 11, 30)
    worker_factory().start()
    with transaction.atomic():  # the admin's edit: on commit, the recompute task goes to the worker
        working_day_update(day=dt.date(2026, 11, 27), is_working_day=False, kind=DayKind.HOLIDAY, note="测试")
    wait_for(
        lambda: Case.objects.get(pk=case.pk).decision_due == dt.date(2026, 12, 1),
        message="the worker to recompute the clock",
    )
    workdays_changed()
