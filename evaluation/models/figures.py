"""The summary the services maintain of the ratings (公示, 督查, 考核): one row per month, hall,
department, item, clerk and window, changed by F() increments in the same transaction as the rating,
the ticket step or the 未评价 sweep. The public page, the supervisor's 双归零 and the monthly
assessment read a few of these rows, never the ratings or the tickets.

Each counter says which month puts it in a row: the service's month (服务完成当月) for the figures
of services and ratings, the month the ticket was opened (生成月份) for the TICKET_COUNTERS, which
follow each ticket's current state (a step moves a ticket from one counter to another)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["FIGURE_COUNTERS", "FigureRow", "TICKET_COUNTERS"]

FIGURE_COUNTERS = [
    "services",
    "rated",
    "unrated",
    "level_1",
    "level_2",
    "level_3",
    "level_4",
    "level_5",
    "excluded",
    "bad_tickets",
    "rectified",
    "rectified_in_time",
    "rectify_days",
]
# The tickets opened in the row's month, by their state now (upheld appeals left out).
TICKET_COUNTERS = [
    "tickets",
    "tickets_open",
    "tickets_awaiting_rater",
    "tickets_rectified",
    "tickets_in_time",
    "tickets_overdue",
]


class FigureRow(models.Model):
    key = models.CharField(
        _("统计键"), max_length=80, unique=True, help_text=_("月份:大厅:部门:事项:经办人:窗口（无则为0）")
    )
    month = models.DateField(_("月份"))
    hall = models.ForeignKey("hall.Hall", verbose_name=_("大厅"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "hall.Department", verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        "items.Item", verbose_name=_("事项"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # figure_clerk_month leads with the clerk
    )
    window = models.ForeignKey(
        "hall.Window", verbose_name=_("窗口"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    services = models.PositiveIntegerField(_("服务数"), default=0)
    rated = models.PositiveIntegerField(_("已评价数"), default=0, help_text=_("计入统计的评价（不含申诉成立）"))
    unrated = models.PositiveIntegerField(_("未评价数"), default=0)
    level_1 = models.PositiveIntegerField(_("非常满意"), default=0)
    level_2 = models.PositiveIntegerField(_("满意"), default=0)
    level_3 = models.PositiveIntegerField(_("基本满意"), default=0)
    level_4 = models.PositiveIntegerField(_("不满意"), default=0)
    level_5 = models.PositiveIntegerField(_("非常不满意"), default=0)
    excluded = models.PositiveIntegerField(_("申诉成立不计入"), default=0)
    bad_tickets = models.PositiveIntegerField(_("差评工单数"), default=0, help_text=_("不含申诉成立"))
    rectified = models.PositiveIntegerField(_("已整改数"), default=0)
    rectified_in_time = models.PositiveIntegerField(_("按期整改数"), default=0)
    rectify_days = models.PositiveIntegerField(_("整改用时合计（工作日）"), default=0)
    # The monthly assessment counts what the clerk was rated at first, upheld appeals included.
    first_rated = models.PositiveIntegerField(_("首次评价数"), default=0, help_text=_("含申诉成立的"))
    first_bad = models.PositiveIntegerField(_("首次差评数"), default=0, help_text=_("含申诉成立的"))
    tickets = models.PositiveIntegerField(_("当月生成的差评工单"), default=0, help_text=_("不含申诉成立"))
    tickets_open = models.PositiveIntegerField(_("其中待整改或申诉中"), default=0)
    tickets_awaiting_rater = models.PositiveIntegerField(_("其中待评价人确认"), default=0)
    tickets_rectified = models.PositiveIntegerField(_("其中已整改"), default=0)
    tickets_in_time = models.PositiveIntegerField(_("其中已整改且从未超期"), default=0)
    tickets_overdue = models.PositiveIntegerField(_("其中曾超期"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("评价统计")
        indexes = [
            models.Index(fields=["month", "hall"], name="figure_month_hall"),
            # The assessment: a month's rows of the halls' clerks.
            models.Index(fields=["clerk", "month"], name="figure_clerk_month"),
            # 双归零: the few rows holding tickets, of the supervised halls or an approver's departments.
            models.Index(fields=["hall", "month"], name="figure_ticket_hall", condition=Q(tickets__gt=0)),
            models.Index(fields=["department", "month"], name="figure_ticket_department", condition=Q(tickets__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.hall_id}/{self.department_id}/{self.item_id}/{self.clerk_id}/{self.window_id}"
