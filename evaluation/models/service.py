"""Rateable services: each finished counter service, pickup, served ticket or delivered matter, found
by `services_collect` from the cases' audit events and the hall's served tickets; the tokens that
let the person served rate it without logging in; and the window tablets."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..constants import RatingChannel, ServiceKind, TokenPurpose

__all__ = ["CollectWatermark", "RatingDevice", "RatingToken", "Service"]


def _token() -> str:
    return secrets.token_urlsafe(24)


class Service(models.Model):
    """One finished service to be rated (一次一评 at a window, 一事一评 for a delivered matter)."""

    kind = models.CharField(_("服务类型"), max_length=20, choices=ServiceKind.choices)
    source_key = models.CharField(
        _("来源"), max_length=60, unique=True, help_text=_("产生该服务的办件日志或叫号记录，如 event:12、ticket:7")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rateable_services",
        help_text=_("只有服务对象本人可以评价；未登记身份的叫号服务只能在窗口评价器上评价"),
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="served_services",
    )
    window = models.ForeignKey(
        "hall.Window", verbose_name=_("窗口"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "hall.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("办件的实施部门：差评由其整改"),
    )
    hall = models.ForeignKey("hall.Hall", verbose_name=_("大厅"), on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        "items.Item", verbose_name=_("事项"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("服务内容"), max_length=200, blank=True)
    finished_at = models.DateTimeField(_("服务完成时间"), null=True, blank=True, help_text=_("未完成的服务不能评价"))
    month = models.DateField(_("统计月份"), help_text=_("服务完成当月的第一天：公示数据按此归月"))
    rating_due = models.DateTimeField(
        _("评价截止时间"), null=True, blank=True, help_text=_("超过大厅规定的评价期限未评价的，计为“未评价”")
    )
    rated_at = models.DateTimeField(_("首次评价时间"), null=True, blank=True)
    unrated_at = models.DateTimeField(_("计为未评价时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("采集时间"), auto_now_add=True)

    class Meta:
        ordering = ["-finished_at", "-pk"]
        verbose_name = verbose_name_plural = _("评价服务")
        indexes = [
            # The window tablet: the latest finished service at one window.
            models.Index(fields=["window", "finished_at"], name="eval_service_window_finished"),
            models.Index(fields=["applicant", "finished_at"], name="eval_service_applicant"),
            models.Index(fields=["clerk", "month"], name="eval_service_clerk_month"),
            models.Index(fields=["case"], name="eval_service_case"),
            # The 未评价 sweep reads only the services still waiting for a rating.
            models.Index(
                fields=["rating_due"],
                name="eval_service_awaiting",
                condition=Q(rated_at__isnull=True, unrated_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.title}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class RatingToken(models.Model):
    """A single-use key that lets the person served rate one service without logging in (the QR code
    on the invitation, the window tablet). Used once; a second use is refused."""

    token = models.CharField(_("令牌"), max_length=64, unique=True, default=_token)
    service = models.ForeignKey(Service, verbose_name=_("评价服务"), on_delete=models.PROTECT, related_name="tokens")
    purpose = models.CharField(_("用途"), max_length=20, choices=TokenPurpose.choices, default=TokenPurpose.INVITATION)
    channel = models.CharField(_("渠道"), max_length=10, choices=RatingChannel.choices, default=RatingChannel.QR)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("评价令牌")

    def __str__(self) -> str:
        return f"{self.service_id} · {self.get_purpose_display()}"


class RatingDevice(models.Model):
    """A rating tablet (窗口评价器) fixed at one window: it shows the service just finished there."""

    window = models.ForeignKey("hall.Window", verbose_name=_("窗口"), on_delete=models.PROTECT, related_name="+")
    key = models.CharField(
        _("设备密钥"), max_length=64, unique=True, default=_token, help_text=_("评价器页面地址中的密钥，更换即失效")
    )
    name = models.CharField(_("名称"), max_length=60, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("窗口评价器")

    def __str__(self) -> str:
        return self.name or str(self.window)


class CollectWatermark(models.Model):
    """How far `services_collect` has read each source (the highest id seen)."""

    source = models.CharField(_("来源"), max_length=30, unique=True)
    last_id = models.BigIntegerField(_("已读到的ID"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("评价采集进度")

    def __str__(self) -> str:
        return f"{self.source}: {self.last_id}"
