"""Choices of the delivery app, with the words the result window and the archive office use
(DOMAIN.md §5a: GB/T 36901-36905 e-certificates, Art. 44 delivery, GB/T 42727 archive packages)."""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateState(models.TextChoices):
    """GB/T 36903 / DB44/T 2167 certificate states."""

    VALID = "valid", _("有效")
    CANCELLED = "cancelled", _("注销")
    REVOKED = "revoked", _("吊销")
    EXPIRED = "expired", _("过期")
    SUPERSEDED = "superseded", _("被替代")


class HolderKind(models.TextChoices):
    ID_NUMBER = "id_number", _("居民身份证号码")
    CREDIT_CODE = "credit_code", _("统一社会信用代码")


class OrderState(models.TextChoices):
    """Where the result is on its way to the applicant."""

    PRODUCED = "produced", _("已制证待移交")
    HANDED = "handed", _("移交中")
    AT_WINDOW = "at_window", _("在出件窗口")
    POSTED = "posted", _("已寄出")
    AVAILABLE = "available", _("可下载")
    DELIVERED = "delivered", _("已送达待归档")
    ARCHIVED = "archived", _("已归档")


# The states in which the result window still has work on the order (the partial indexes hold only these).
OPEN_ORDER_STATES = [
    OrderState.PRODUCED,
    OrderState.HANDED,
    OrderState.AT_WINDOW,
    OrderState.POSTED,
    OrderState.AVAILABLE,
    OrderState.DELIVERED,  # delivered, still to archive
]


class Carrier(models.TextChoices):
    EMS = "ems", _("中国邮政EMS")
    SF = "sf", _("顺丰速运")
    OTHER = "other", _("其他快递")


# Tracking numbers as the carriers print them: EMS domestic 13 digits or the UPU S10 form (EA123456789CN),
# SF "SF" + 12-13 digits (or the digits alone), other carriers 8-20 letters and digits.
TRACKING_PATTERNS = {
    Carrier.EMS: re.compile(r"^(\d{13}|[A-Z]{2}\d{9}[A-Z]{2})$"),
    Carrier.SF: re.compile(r"^(SF)?\d{12,13}$"),
    Carrier.OTHER: re.compile(r"^[A-Z0-9]{8,20}$"),
}


class PostOutcome(models.TextChoices):
    DELIVERED = "delivered", _("已妥投")
    RETURNED = "returned", _("被退回")


class RecipientKind(models.TextChoices):
    APPLICANT = "applicant", _("申请人本人")
    AGENT = "agent", _("受托代理人")
