"""Choices of the hall floor (DOMAIN.md §7: ticket conventions)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..constants import WindowCategory


class DayType(models.TextChoices):
    """How the working-day calendar classes a date, for opening hours."""

    WORKING_DAY = "working_day", _("工作日")
    SWAP_WORKDAY = "swap_workday", _("调休上班日")
    REST_DAY = "rest_day", _("周末（仅预约）")
    HOLIDAY = "holiday", _("法定节假日（闭厅）")


class BookingState(models.TextChoices):
    ACTIVE = "active", _("已预约")
    KEPT = "kept", _("已取号")
    CANCELLED = "cancelled", _("已取消")
    HALL_CLOSED = "hall_closed", _("大厅闭厅取消")
    NO_SHOW = "no_show", _("爽约")


class TicketLane(models.TextChoices):
    """The ticket's prefix: V (priority: elderly, disabled, pregnant), Y (booked), none (walk-in)."""

    PRIORITY = "priority", _("优先")
    BOOKED = "booked", _("预约")
    WALK_IN = "walk_in", _("普通")


LANE_PREFIX = {TicketLane.PRIORITY: "V", TicketLane.BOOKED: "Y", TicketLane.WALK_IN: ""}
# Calling order: priority first, then booked, then walk-ins in the order they came.
LANE_RANK = {TicketLane.PRIORITY: 0, TicketLane.BOOKED: 1, TicketLane.WALK_IN: 2}


class TicketState(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SERVED = "served", _("已办理")
    MISSED = "missed", _("过号")
    TRANSFERRED = "transferred", _("已转窗口")


class PriorityReason(models.TextChoices):
    ELDERLY = "elderly", _("老年人")
    DISABLED = "disabled", _("残疾人")
    PREGNANT = "pregnant", _("孕妇")
    OTHER = "other", _("其他特殊群体")


# The letter of each window category on a ticket (A012, YC003, VD001).
CATEGORY_LETTER = {
    WindowCategory.INVESTMENT: "A",
    WindowCategory.REAL_ESTATE: "B",
    WindowCategory.COMMERCIAL: "C",
    WindowCategory.SOCIAL: "D",
    WindowCategory.CROSS_AREA: "E",
    WindowCategory.RESULT: "F",
}

# Online booking is refused after this many no-shows within NO_SHOW_WINDOW_DAYS, for BLOCK_DAYS.
NO_SHOW_LIMIT = 3
NO_SHOW_WINDOW_DAYS = 90
BLOCK_DAYS = 30
# Citizens may book this many days ahead (today not counted).
BOOKING_HORIZON_DAYS = 14
# Age from the ID number at which the kiosk issues a priority (V) ticket by itself.
PRIORITY_AGE = 70
# Minutes per person in the estimated wait when a category has served nobody yet today.
DEFAULT_SERVICE_MINUTES = 6
