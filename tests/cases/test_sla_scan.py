"""The SLA scan: reads due cases through next_due, records each level change once, notifies the
responsible staff, the supervisor and (for their own deadlines) the applicant; the calendar
recompute moves due dates after an admin edit."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cases import sla
from cases.constants import WarningLevel
from cases.models import Case
from cases.tasks import case_clocks_recompute, sla_scan
from hall import workdays
from hall.constants import DayKind
from hall.models import ClockWarning, Notice
from hall.workdays import calendar_seed, working_day_update
from tests.cases.factories import CaseFactory

SH = ZoneInfo("Asia/Shanghai")
D = dt.date
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)  # Monday


@pytest.fixture(autouse=True)
def calendar(db):
    workdays.workdays_changed()
    calendar_seed(years=[2026, 2027])
    yield
    workdays.workdays_changed()


@pytest.fixture
def cases(cast):
    yellow = CaseFactory(accepted=True, decision_due=D(2026, 11, 24), next_due=D(2026, 11, 24))
    overdue = CaseFactory(submitted=True, receiving_hall=cast.halls["JC"], intake_due=D(2026, 11, 20))
    overdue.next_due = overdue.intake_due
    Case.objects.filter(pk=overdue.pk).update(next_due=overdue.intake_due)
    green = CaseFactory(accepted=True, decision_due=D(2026, 12, 20), next_due=D(2026, 12, 20))
    supplement = CaseFactory(supplement_requested=True, supplement_due=D(2026, 11, 23), next_due=D(2026, 11, 23))
    return {"yellow": yellow, "overdue": overdue, "green": green, "supplement": supplement}


def levels():
    return dict(Case.objects.values_list("pk", "warning_level"))


def test_scan_records_each_change_once_and_stores_levels(cases):
    result = sla.sla_scan(now=NOW)
    assert result.scanned == 3  # the green case is beyond the horizon and never read
    assert sorted((c, lvl) for _, c, lvl in result.changes) == [
        ("decision", "yellow"),
        ("intake", "overdue"),
        ("supplement", "red"),
    ]
    stored = levels()
    assert stored[cases["yellow"].pk] == WarningLevel.YELLOW
    assert stored[cases["overdue"].pk] == WarningLevel.OVERDUE
    assert stored[cases["supplement"].pk] == WarningLevel.RED
    assert stored[cases["green"].pk] == WarningLevel.NONE  # untouched
    again = sla.sla_scan(now=NOW)
    assert again.recorded == 0 and again.notices == 0
    assert ClockWarning.objects.count() == 3


def test_scan_notifies_the_responsible_staff_supervisor_and_applicant(cast, cases):
    sla.sla_scan(now=NOW)
    notices = {n.recipient.username: n for n in Notice.objects.filter(kind="clock_warning")}
    applicant = cases["supplement"].applicant.username
    # one notice per recipient per scan
    assert set(notices) == {"jc_approver", "jc_clerk", "jc_supervisor", applicant}
    # decision clock yellow: the approvers of 江城区市场监督管理局 only, about that case
    approver = notices["jc_approver"]
    assert approver.case_number == cases["yellow"].number
    assert approver.subject == "【临期提醒】办结期限预警" and "还剩1个工作日" in approver.body
    # 江城 clerks: the overdue intake and the applicant's supplement deadline, in one digest
    clerk = notices["jc_clerk"]
    assert clerk.subject == "【时限预警】2件办件（1件已超期）需要尽快处理"
    assert cases["overdue"].number in clerk.body and cases["supplement"].number in clerk.body
    assert clerk.body.index(cases["overdue"].number) < clerk.body.index(cases["supplement"].number)
    # the supervisor hears of red and overdue clocks
    supervisor = notices["jc_supervisor"]
    assert "督查提醒" in supervisor.subject and cases["yellow"].number not in supervisor.body
    # the applicant is reminded of their own deadline
    assert notices[applicant].case_number == cases["supplement"].number
    assert "今天到期" in notices[applicant].body


def test_single_overdue_notice_text(cast, cases):
    Case.objects.filter(pk=cases["supplement"].pk).update(next_due=None)
    sla.sla_scan(now=NOW)
    notice = Notice.objects.get(recipient=cast.clerk)
    assert notice.subject == "【已超期】受理审查期限预警"
    assert "已超期1个工作日" in notice.body and notice.case_number == cases["overdue"].number


def test_a_level_change_recorded_by_another_scan_is_not_notified_again(cases):
    ClockWarning.objects.create(case_id=cases["yellow"].pk, clock="decision", due_on=D(2026, 11, 24), level="yellow")
    result = sla.sla_scan(now=NOW)
    assert ("decision", "yellow") not in [(c, lvl) for _, c, lvl in result.changes]
    assert not Notice.objects.filter(case_number=cases["yellow"].number).exists()


def test_next_day_the_yellow_case_turns_red_and_is_recorded_again(cases):
    sla.sla_scan(now=NOW)
    result = sla.sla_scan(now=NOW + dt.timedelta(days=1))
    assert (cases["yellow"].pk, "decision", "red") in result.changes


def test_scan_task_runs(cases, monkeypatch):
    """The beat task scans with the current time: at NOW it records the three level changes."""
    monkeypatch.setattr(sla.timezone, "now", lambda: NOW)
    result = sla_scan.apply().get()
    assert (result["scanned"], result["recorded"]) == (3, 3)
    assert result["notices"] > 0
    assert ClockWarning.objects.count() == 3
    assert sla_scan.apply().get()["recorded"] == 0  # recorded once


def test_calendar_edit_recomputes_open_clocks(cast):
    case = CaseFactory(accepted=True, accepted_on=D(2026, 11, 23))
    from cases.clock import case_clock_recompute

    case_clock_recompute(case)
    Case.objects.filter(pk=case.pk).update(decision_due=case.decision_due, next_due=case.next_due)
    assert case.decision_due == D(2026, 11, 30)
    working_day_update(day=D(2026, 11, 27), is_working_day=False, kind=DayKind.HOLIDAY, note="测试")
    assert case_clocks_recompute.apply().get() == 1
    case.refresh_from_db()
    assert case.decision_due == D(2026, 12, 1) and case.next_due == D(2026, 12, 1)
