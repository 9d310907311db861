"""Time in the words people use: "今天17:30前", "还剩3个工作日", "已超期2个工作日", "今天到期".

One place for the wording of a clock reading, used by the badge on every page and by the notices,
so that a limit in calendar days (自然日) never reads as working days and minutes never read as
"剩余809分钟"."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .clock import NATURAL_DAY, ClockReading


def clock_words(reading: ClockReading, *, now: dt.datetime | None = None) -> str:
    now = timezone.localtime(now or timezone.now())
    if reading.minutes_left is not None:
        return _instant_words(reading, now)
    if reading.level == "overdue":
        days = -reading.days_left
        if days <= 0:
            return _("已超期")
        if reading.unit == NATURAL_DAY:
            return ngettext("已超期%(n)d个自然日", "已超期%(n)d个自然日", days) % {"n": days}
        return ngettext("已超期%(n)d个工作日", "已超期%(n)d个工作日", days) % {"n": days}
    if reading.days_left <= 0:
        return _("今天到期")
    if reading.days_left == 1 and reading.due == now.date() + dt.timedelta(days=1):
        return _("明天到期")
    if reading.unit == NATURAL_DAY:
        return ngettext("还剩%(n)d个自然日", "还剩%(n)d个自然日", reading.days_left) % {"n": reading.days_left}
    return ngettext("还剩%(n)d个工作日", "还剩%(n)d个工作日", reading.days_left) % {"n": reading.days_left}


def _instant_words(reading: ClockReading, now: dt.datetime) -> str:
    """An instant case (即办件) is due within the day: name the hour, not a count of minutes."""
    if reading.level == "overdue" or reading.minutes_left < 0:
        late = abs(reading.minutes_left or 0)
        if late >= 60:
            return ngettext("已超时%(h)d小时", "已超时%(h)d小时", late // 60) % {"h": late // 60}
        return _("已超时")
    due_at = now + dt.timedelta(minutes=reading.minutes_left)
    if due_at.date() == now.date():
        return _("今天%(time)s前") % {"time": due_at.strftime("%H:%M")}
    if due_at.date() == now.date() + dt.timedelta(days=1):
        return _("明天%(time)s前") % {"time": due_at.strftime("%H:%M")}
    return _("%(date)s %(time)s前") % {"date": due_at.strftime("%m-%d"), "time": due_at.strftime("%H:%M")}
