"""The case clock: due dates from receipt, acceptance, pauses, extension and decision; warning
levels (green, yellow, red, overdue); instant cases in minutes; the badge."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from cases.clock import case_clock_reading, case_clock_recompute, cases_by_urgency, level_for, read_clock
from cases.constants import CaseState, SpecialProcedureKind, WarningLevel
from cases.models import Case, SpecialProcedure
from hall import workdays
from hall.workdays import calendar_seed
from tests.cases.factories import CaseFactory
from tests.items.factories import ItemVersionFactory

SH = ZoneInfo("Asia/Shanghai")
D = dt.date


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


@pytest.fixture(autouse=True)
def calendar(db):
    workdays.workdays_changed()
    calendar_seed(years=[2026, 2027])
    yield
    workdays.workdays_changed()


@pytest.mark.parametrize(
    "today, level, left",
    [
        (D(2026, 2, 13), WarningLevel.GREEN, 5),
        (D(2026, 2, 24), WarningLevel.GREEN, 3),
        (D(2026, 2, 26), WarningLevel.YELLOW, 1),
        (D(2026, 2, 27), WarningLevel.RED, 0),
        (D(2026, 2, 28), WarningLevel.OVERDUE, -1),  # Saturday 28 Feb is a swapped workday
        (D(2026, 3, 2), WarningLevel.OVERDUE, -2),
    ],
)
def test_intake_clock_across_spring_festival(cast, today, level, left):
    case = CaseFactory(submitted=True, received_at=at(D(2026, 2, 13)))
    case_clock_recompute(case, today=today)
    # 5 working days after Fri 13 Feb: Sat 14 (swap), 24, 25, 26, 27 Feb.
    assert case.intake_due == D(2026, 2, 27)
    assert case.next_due == D(2026, 2, 27)
    assert case.warning_level == level
    assert level_for(case.intake_due, today) == (level, left)


def test_intake_after_supplement_counts_from_the_last_material(cast):
    case = CaseFactory(submitted=True, received_at=at(D(2026, 9, 1)), last_material_on=D(2026, 9, 30))
    case_clock_recompute(case)
    assert case.intake_due == D(2026, 10, 13)  # Oct 8, 9, 10 (Sat swap), 12, 13


def test_decision_due_with_extension_and_special_procedure(cast):
    case = CaseFactory(accepted=True, accepted_on=D(2026, 9, 28))
    case.item_version.promised_days = 5
    case_clock_recompute(case)
    assert case.decision_due == D(2026, 10, 10)  # Sep 29, 30, Oct 8, 9, 10 (Sat swap)
    case.extension_days = 3
    case_clock_recompute(case)
    assert case.decision_due == D(2026, 10, 14)
    SpecialProcedure.objects.create(
        case=case, kind=SpecialProcedureKind.TESTING, reason="检测", expected_days=2,
        started_on=D(2026, 10, 8), ended_on=D(2026, 10, 10), started_by=cast.approver,
    )  # fmt: skip
    case_clock_recompute(case)
    assert case.paused_days == 2  # Oct 9 and Oct 10 not counted
    assert case.decision_due == D(2026, 10, 16)


def test_suspended_case_clock_is_stopped(cast):
    case = CaseFactory(suspended=True, accepted_on=D(2026, 11, 2))
    case_clock_recompute(case)
    assert case.decision_due is not None
    assert case.next_due is None and case.warning_level == WarningLevel.NONE


def test_delivery_due_ten_working_days_after_decision(cast):
    case = CaseFactory(approved=True, accepted_on=D(2026, 9, 1), decided_at=at(D(2026, 9, 30), 15))
    case_clock_recompute(case, today=D(2026, 9, 30))
    assert case.delivery_due == D(2026, 10, 20)
    assert case.next_due == D(2026, 10, 20) and case.warning_level == WarningLevel.GREEN


def test_deferred_deadline_never_beyond_the_decision_due(cast):
    case = CaseFactory(accepted=True, accepted_on=D(2026, 11, 2), deferred_due=D(2026, 12, 31))
    case_clock_recompute(case, today=D(2026, 11, 2))
    assert case.deferred_due == case.decision_due == D(2026, 11, 9)
    assert case.next_due == D(2026, 11, 9)


def test_supplement_deadline_is_the_open_clock(cast):
    case = CaseFactory(supplement_requested=True, received_at=at(D(2026, 11, 2)), supplement_due=D(2026, 11, 16))
    case_clock_recompute(case, today=D(2026, 11, 13))
    assert case.next_due == D(2026, 11, 16)
    assert case.warning_level == WarningLevel.YELLOW


@pytest.mark.parametrize("state", [CaseState.DRAFT, CaseState.REJECTED, CaseState.DELIVERED, CaseState.ARCHIVED])
def test_closed_or_draft_cases_have_no_clock(cast, state):
    case = CaseFactory(state=state, received_at=at(D(2026, 11, 2)), accepted_on=D(2026, 11, 2))
    case_clock_recompute(case)
    assert case.next_due is None and case.warning_level == WarningLevel.NONE


def test_item_yellow_threshold(cast):
    version = ItemVersionFactory(promised_days=10, yellow_threshold_days=3)
    case = CaseFactory(accepted=True, item_version=version, accepted_on=D(2026, 11, 2))
    case_clock_recompute(case, today=D(2026, 11, 10))  # due 16 Nov: 4 left
    assert case.warning_level == WarningLevel.GREEN
    case_clock_recompute(case, today=D(2026, 11, 11))  # 3 left
    assert case.warning_level == WarningLevel.YELLOW


@pytest.mark.parametrize(
    "hour, minute, level",
    [
        (9, 0, WarningLevel.GREEN),
        (16, 0, WarningLevel.YELLOW),
        (17, 0, WarningLevel.RED),
        (17, 31, WarningLevel.OVERDUE),
    ],
)
def test_instant_case_counts_minutes_to_closing_time(cast, hour, minute, level):
    version = ItemVersionFactory(instant=True)
    case = CaseFactory(accepted=True, item_version=version, accepted_on=D(2026, 11, 23))
    case_clock_recompute(case)
    assert case.decision_due == D(2026, 11, 23)
    reading = read_clock(case, "decision", case.decision_due, now=at(D(2026, 11, 23), hour, minute))
    assert reading.level == level
    assert reading.minutes_left == (17 * 60 + 30) - (hour * 60 + minute)


def test_provisional_when_the_clock_runs_into_2027(cast):
    case = CaseFactory(accepted=True, accepted_on=D(2026, 12, 28))
    case_clock_recompute(case)
    reading = case_clock_reading(case, now=at(D(2026, 12, 28)))
    assert reading.due == D(2027, 1, 5) and reading.provisional


def test_object_without_clock_fields_does_not_crash():
    case_clock_recompute(SimpleNamespace(state="submitted"))


def test_cases_by_urgency_orders_and_filters(cast):
    levels = [WarningLevel.GREEN, WarningLevel.OVERDUE, WarningLevel.NONE, WarningLevel.YELLOW, WarningLevel.RED]
    for offset, level in enumerate(levels):
        CaseFactory(submitted=True, warning_level=level, next_due=D(2026, 11, 20) + dt.timedelta(days=offset))
    ordered = [c.warning_level for c in cases_by_urgency(Case.objects.all())]
    assert ordered == ["overdue", "red", "yellow", "green", "none"]
    assert [c.warning_level for c in cases_by_urgency(Case.objects.all(), "red")] == ["red"]


@pytest.mark.parametrize(
    "received, today, css, text",
    [
        (D(2026, 11, 2), D(2026, 11, 3), "badge-green", "还剩4个工作日"),
        (D(2026, 11, 2), D(2026, 11, 8), "badge-yellow", "明天到期"),  # Sunday; due Monday
        (D(2026, 11, 2), D(2026, 11, 9), "badge-red", "今天到期"),
        (D(2026, 11, 2), D(2026, 11, 11), "badge-overdue", "已超期2个工作日"),
        (D(2026, 12, 28), D(2026, 12, 28), "badge-green", "（暂定）"),
    ],
)
def test_clock_badge(cast, monkeypatch, received, today, css, text):
    case = CaseFactory(submitted=True, received_at=at(received))
    case_clock_recompute(case)
    monkeypatch.setattr("cases.clock.timezone.now", lambda: at(today))
    html = Template("{% load clock %}{% clock_badge case %}").render(Context({"case": case}))
    assert css in html and text in html


def test_clock_badge_without_clock(cast):
    case = CaseFactory(state=CaseState.DRAFT)
    html = Template("{% load clock %}{% clock_badge case %}").render(Context({"case": case}))
    assert "badge" not in html


def test_badge_overdue_over_a_weekend_says_overdue_without_zero(cast, monkeypatch):
    case = CaseFactory(submitted=True, received_at=at(D(2026, 11, 13)))  # due Fri 20 Nov
    case_clock_recompute(case)
    monkeypatch.setattr("cases.clock.timezone.now", lambda: at(D(2026, 11, 22)))  # Sunday
    html = Template("{% load clock %}{% clock_badge case %}").render(Context({"case": case}))
    assert "badge-overdue" in html and "已超期" in html and "0个工作日" not in html
