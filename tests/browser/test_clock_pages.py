"""Browser: the supervisor lands on the clock page (badges, counts); a citizen reads a notice in
the inbox (unread count in the navbar, mark read); the admin sees the calendar banner."""

import datetime as dt

import pytest

from cases.constants import WarningLevel
from hall import workdays
from hall.demo import DEMO_PASSWORD, seed_demo
from hall.notices import notice_deliver, notice_queue
from hall.selectors import user_by_mobile
from hall.workdays import calendar_seed
from tests.cases.factories import CaseFactory

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def calendar():
    workdays.workdays_changed()
    yield
    workdays.workdays_changed()


def test_supervisor_sees_clocks(page, shot):
    seed_demo()
    calendar_seed(years=[2026, 2027])
    today = dt.date.today()
    for offset, level in [(-3, WarningLevel.OVERDUE), (-1, WarningLevel.OVERDUE), (0, WarningLevel.RED)]:
        due = today + dt.timedelta(days=offset)
        CaseFactory(submitted=True, warning_level=level, next_due=due, intake_due=due)
    CaseFactory(submitted=True, warning_level=WarningLevel.GREEN, next_due=today + dt.timedelta(days=20),
                intake_due=today + dt.timedelta(days=20))  # fmt: skip
    login(page, "jc_supervisor", DEMO_PASSWORD)
    page.wait_for_selector("[data-workbench=supervisor]")
    assert page.locator("#case-list tbody tr").count() == 2
    assert page.locator("#case-list .badge-overdue").count() == 2
    assert "江城区政务服务中心" in page.locator("#by-hall").inner_text()
    shot(page, "clock-supervision")
    page.click("a.btn:has-text('正常')")
    assert page.locator("#case-list .badge-green").count() == 1
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "clock-supervision-phone")


def test_citizen_reads_a_notice(page, shot):
    seed_demo()
    citizen = user_by_mobile("13800000001")
    notice = notice_queue(
        recipient=citizen, kind="case_accepted", subject="您的申请已受理",
        body="办件 JC26112300001 已受理，承诺办结日期为2026年11月30日。", case_number="JC26112300001",
    )  # fmt: skip
    notice_deliver(notice_id=notice.pk)
    login(page, "13800000001", DEMO_PASSWORD)
    assert page.locator("#unread-count").inner_text() == "1"
    page.click("#nav-inbox")
    page.wait_for_selector("#inbox-list")
    shot(page, "clock-inbox")
    page.click("#inbox-list a")
    page.click("#mark-read")
    page.wait_for_selector("text=已读于")
    assert page.locator("#unread-count").count() == 0
    shot(page, "clock-inbox-read")


def test_admin_sees_calendar_banner(page, shot):
    seed_demo()
    calendar_seed(years=[2026])  # 2027 not entered
    login(page, "yj_sysadmin", DEMO_PASSWORD)
    page.goto("/")
    banner = page.locator("#calendar-banner")
    if workdays.years_without_official_calendar(dt.date.today()):
        assert "2027" in banner.inner_text()
        shot(page, "clock-calendar-banner")
