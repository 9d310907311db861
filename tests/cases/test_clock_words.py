"""Clock readings in the words people use, in both units and for instant cases."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.clock import NATURAL_DAY, WORKING_DAY, ClockReading
from cases.clock_words import clock_words

NOW = timezone.make_aware(dt.datetime(2026, 11, 24, 9, 0))  # a Tuesday morning, Asia/Shanghai


def _reading(level, days_left, *, unit=WORKING_DAY, minutes_left=None, due=None):
    due = due or (NOW.date() + dt.timedelta(days=max(days_left, 0) + 3))
    return ClockReading("decision", due, level, days_left, minutes_left, False, unit)


@pytest.mark.parametrize(
    ("reading", "words"),
    [
        (_reading("green", 3), "还剩3个工作日"),
        (_reading("green", 12, unit=NATURAL_DAY), "还剩12个自然日"),
        (_reading("yellow", 1, due=dt.date(2026, 11, 25)), "明天到期"),
        (_reading("red", 0), "今天到期"),
        (_reading("overdue", -2), "已超期2个工作日"),
        (_reading("overdue", -5, unit=NATURAL_DAY), "已超期5个自然日"),
        (_reading("overdue", 0), "已超期"),
        (_reading("green", 0, minutes_left=510), "今天17:30前"),
        (_reading("overdue", 0, minutes_left=-130), "已超时2小时"),
    ],
)
def test_clock_words(reading, words):
    text = clock_words(reading, now=NOW)
    assert text == words
    assert "分钟" not in text and "0个工作日" not in text
