"""The summary the services maintain for the public figures (公示): one row per month, hall,
department and item, changed by F() increments in the same transaction as the rating, the ticket
step or the 未评价 sweep. The public page reads a few of these rows, never the ratings."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["FIGURE_COUNTERS", "FigureRow"]

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


class FigureRow(models.Model):
    key = models.CharField(_("统计键"), max_length=40, unique=True, help_text=_("月份:大厅:部门:事项（无则为0）"))
    month = models.DateField(_("月份"))
    hall = models.ForeignKey("hall.Hall", verbose_name=_("大厅"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "hall.Department", verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        "items.Item", verbose_name=_("事项"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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

    class Meta:
        verbose_name = verbose_name_plural = _("评价统计")
        indexes = [models.Index(fields=["month", "hall"], name="figure_month_hall")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.hall_id}/{self.department_id}/{self.item_id}"
