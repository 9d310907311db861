"""Working-day arithmetic around the 2026 Spring Festival and National Day swaps and across the
year end (2026 official from chinesecalendar, 2027 provisional by rule, 2028 not seeded at all)."""

from datetime import date

import pytest

from hall import workdays
from hall.workdays import (
    add_working_days,
    calendar_seed,
    is_provisional,
    is_working_day,
    working_days_between,
)

D = date


@pytest.fixture(autouse=True)
def fresh_cache():
    workdays.workdays_changed()
    yield
    workdays.workdays_changed()  # the database rolls back: never leave its rows cached


@pytest.fixture
def calendar(db):
    calendar_seed(years=[2025, 2026, 2027])


@pytest.mark.parametrize(
    "start, n, expected",
    [
        # Spring Festival 2026: holidays Sun 15 – Mon 23 Feb; Sat 14 and Sat 28 Feb are workdays.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        (D(2026, 2, 12), 3, D(2026, 2, 24)),
        (D(2026, 2, 20), 1, D(2026, 2, 24)),  # start day inside the holiday
        (D(2026, 2, 26), 2, D(2026, 2, 28)),
        (D(2026, 2, 13), 0, D(2026, 2, 13)),
        # Mid-Autumn and National Day 2026: Sun 20 Sep and Sat 10 Oct are workdays; 1–7 Oct off.
        (D(2026, 9, 18), 1, D(2026, 9, 20)),
        (D(2026, 9, 24), 1, D(2026, 9, 28)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),
        (D(2026, 9, 30), 4, D(2026, 10, 12)),
        (D(2026, 9, 1), 20, D(2026, 9, 29)),
        (D(2026, 9, 1), 22, D(2026, 10, 8)),
        # Year ends: 2026 New Year's Day Thu 1 – Sat 3 Jan, Sun 4 Jan a workday.
        (D(2025, 12, 31), 1, D(2026, 1, 4)),
        (D(2025, 12, 30), 2, D(2026, 1, 4)),
        # into 2027 (provisional): Fri 1 Jan 2027 is New Year's Day by rule.
        (D(2026, 12, 30), 2, D(2027, 1, 4)),
        (D(2026, 12, 31), 10, D(2027, 1, 15)),
        # backwards
        (D(2026, 2, 24), -1, D(2026, 2, 14)),
    ],
)
def test_add_working_days(calendar, start, n, expected):
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize(
    "start, end, pauses, expected",
    [
        (D(2026, 2, 13), D(2026, 2, 24), (), 2),
        (D(2026, 2, 14), D(2026, 2, 14), (), 0),
        (D(2026, 9, 30), D(2026, 10, 10), (), 3),
        (D(2026, 12, 31), D(2027, 1, 4), (), 1),
        (D(2026, 10, 10), D(2026, 9, 30), (), -3),
        (D(2026, 9, 1), D(2026, 9, 30), (), 21),
        # a special procedure from 10 Sep to 17 Sep stops the clock on 11, 14, 15, 16, 17 Sep
        (D(2026, 9, 1), D(2026, 9, 30), [(D(2026, 9, 10), D(2026, 9, 17))], 16),
        # overlapping pauses count once
        (D(2026, 9, 1), D(2026, 9, 30), [(D(2026, 9, 10), D(2026, 9, 17)), (D(2026, 9, 15), D(2026, 9, 18))], 15),
        # a pause still running (no end) stops the clock up to `end`
        (D(2026, 9, 1), D(2026, 9, 30), [(D(2026, 9, 24), None)], 18),
    ],
)
def test_working_days_between(calendar, start, end, pauses, expected):
    assert working_days_between(start, end, pauses) == expected


@pytest.mark.parametrize(
    "day, working, provisional",
    [
        (D(2026, 2, 14), True, False),  # Saturday swapped into a workday
        (D(2026, 2, 16), False, False),
        (D(2026, 10, 10), True, False),
        (D(2026, 10, 7), False, False),
        (D(2026, 11, 23), True, False),
        (D(2027, 1, 1), False, True),  # New Year by rule, provisional
        (D(2027, 2, 8), False, True),  # Spring Festival 2027 (初一 Sat 6 Feb) by rule
        (D(2027, 2, 9), True, True),
        (D(2027, 4, 5), False, True),  # Qingming from the solar term
        (D(2027, 5, 3), True, True),  # Labour Day is 1–2 May by rule; no guessed swaps
        (D(2027, 10, 1), False, True),
        (D(2028, 1, 27), False, True),  # 2028 not seeded at all: rule, Spring Festival 26 Jan
        (D(2028, 1, 31), True, True),
    ],
)
def test_day_status(calendar, day, working, provisional):
    assert is_working_day(day) is working
    assert is_provisional(day) is provisional


def test_no_calendar_rows_falls_back_to_rule_without_crashing(db):
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 5)  # rule knows 1–3 Oct only
    assert is_provisional(D(2026, 9, 30))


def test_clock_walk_queries_each_year_once(calendar, django_assert_max_num_queries):
    workdays.workdays_changed()
    with django_assert_max_num_queries(3):  # the table version, then 2026 and 2027
        add_working_days(D(2026, 12, 1), 40)
        add_working_days(D(2026, 12, 1), 40)
        working_days_between(D(2026, 12, 1), D(2027, 1, 20))
