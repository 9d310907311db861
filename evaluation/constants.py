"""Choices of the ratings app (好差评, 国办发〔2019〕51号, GB/T 39735-2020), in the halls' words."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """The five levels with their GB/T 39046 codes: 1 is the best, 5 the worst (many platforms
    number the other way round: the code stored here is the standard's)."""

    VERY_SATISFIED = 1, _("非常满意")
    SATISFIED = 2, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 4, _("不满意")
    VERY_DISSATISFIED = 5, _("非常不满意")


# 差评: the two lowest levels open a rectification ticket.
BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)
# The levels counted as satisfied in the published satisfaction rate.
GOOD_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.BASICALLY_SATISFIED)


class ServiceKind(models.TextChoices):
    """一次一评 (each visit) and 一事一评 (each matter)."""

    COUNTER_INTAKE = "counter_intake", _("窗口收件")
    PICKUP = "pickup", _("窗口取件")
    TICKET = "ticket", _("窗口服务（叫号）")
    MATTER = "matter", _("办件办结")


class RatingChannel(models.TextChoices):
    PC = "pc", _("PC端")
    MOBILE = "mobile", _("移动端")
    QR = "qr", _("二维码")
    TABLET = "tablet", _("窗口评价器")
    TERMINAL = "terminal", _("自助终端")
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")


class RatingKind(models.TextChoices):
    FIRST = "first", _("首次评价")
    FOLLOW_UP = "follow_up", _("追加评价")


class TicketState(models.TextChoices):
    OPEN = "open", _("待整改")
    APPEALING = "appealing", _("申诉中")
    RECTIFIED = "rectified", _("已整改，待评价人追评")
    CLOSED = "closed", _("已办结")
    VOIDED = "voided", _("申诉成立")


# The tickets whose clocks run (the scan and the open-work lists read only these).
OPEN_TICKET_STATES = [TicketState.OPEN, TicketState.APPEALING]


class RectificationOutcome(models.TextChoices):
    FIXED = "fixed", _("已整改")
    EXPLAINED = "explained", _("无法律依据，已解释说明")


class TicketStepKind(models.TextChoices):
    OPENED = "opened", _("生成整改工单")
    CALLED_BACK = "called_back", _("回访")
    RECTIFIED = "rectified", _("整改")
    EXPLAINED = "explained", _("解释说明")
    REPORTED = "reported", _("反馈整改结果")
    APPEALED = "appealed", _("提出申诉")
    APPEAL_UPHELD = "appeal_upheld", _("申诉成立")
    APPEAL_REJECTED = "appeal_rejected", _("申诉不成立")
    FOLLOWED_UP = "followed_up", _("评价人追评")
    WARNED = "warned", _("时限预警")


class AppealDecision(models.TextChoices):
    UPHELD = "upheld", _("申诉成立（不计入统计）")
    REJECTED = "rejected", _("申诉不成立")


class TokenPurpose(models.TextChoices):
    INVITATION = "invitation", _("评价邀请")
    FOLLOW_UP = "follow_up", _("追评邀请")
