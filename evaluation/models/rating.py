"""Ratings: append-only, like the cases' audit events. One first rating and one follow-up per service
(database constraints); an upheld appeal excludes a rating from the figures without touching it."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import AppendOnlyModel

from ..constants import BAD_LEVELS, Level, RatingChannel, RatingKind

__all__ = ["Rating", "TEXT_MAX"]

TEXT_MAX = 150  # GB/T 39735: free text up to 150 characters


class Rating(AppendOnlyModel):
    service = models.ForeignKey(
        "evaluation.Service", verbose_name=_("评价服务"), on_delete=models.PROTECT, related_name="ratings"
    )
    kind = models.CharField(_("评价类型"), max_length=10, choices=RatingKind.choices, default=RatingKind.FIRST)
    level = models.PositiveSmallIntegerField(
        _("评价等级代码"), choices=Level.choices, help_text=_("GB/T 39046：1 非常满意 … 5 非常不满意")
    )
    level_label = models.CharField(_("评价等级"), max_length=10)
    tags = models.JSONField(_("评价标签"), default=list, blank=True, help_text=_("标准标签：[{code, label}]"))
    text = models.TextField(_("评价内容"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    anonymous = models.BooleanField(_("匿名评价"), default=False)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("服务对象本人；窗口评价器上未登记身份的为空"),
    )
    channel = models.CharField(_("评价渠道"), max_length=10, choices=RatingChannel.choices)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = verbose_name_plural = _("评价")
        constraints = [
            models.UniqueConstraint(fields=["service", "kind"], name="rating_one_per_kind_per_service"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level_gbt39046"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} · {self.get_kind_display()} · {self.level_label}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS

    @property
    def rater_display(self) -> str:
        if self.anonymous or self.rater_id is None:
            return str(_("匿名"))
        return self.rater.real_name or self.rater.username
