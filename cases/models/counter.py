"""Scans held for a counter application (窗口收件) that is still being prepared: the files that passed their
checks while another file or a field of the form was refused. No case, number or receipt exists until the
application is received (the receipt and the intake limit date from receipt, DOMAIN.md §3); on receipt the
held scans become the case's materials and are deleted here."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CounterScan(models.Model):
    draft = models.UUIDField(
        _("收件草稿"), default=uuid.uuid4, db_index=True, help_text=_("同一次窗口收件的扫描件共用此编号")
    )
    hall = models.ForeignKey("hall.Hall", verbose_name=_("收件大厅"), on_delete=models.CASCADE, related_name="+")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("窗口人员"), on_delete=models.CASCADE, related_name="+"
    )
    item_version = models.ForeignKey(
        "items.ItemVersion", verbose_name=_("事项版本"), on_delete=models.CASCADE, related_name="+"
    )
    material = models.ForeignKey(
        "items.Material", verbose_name=_("对应指南材料"), on_delete=models.CASCADE, related_name="+"
    )
    file = models.FileField(_("文件"), upload_to="counter-scans/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField(_("扫描时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = verbose_name_plural = _("窗口收件暂存扫描件")
        constraints = [
            models.UniqueConstraint(fields=["draft", "material"], name="counter_scan_one_per_material"),
        ]

    def __str__(self) -> str:
        return self.original_name
