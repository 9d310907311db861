"""Rectification of bad ratings (差评整改): the ticket with its clocks, its append-only steps and the
appeal decided by a supervisor (国办发〔2019〕51号: call back, fix or explain, report the outcome)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.constants import WarningLevel
from cases.models import AppendOnlyModel

from ..constants import OPEN_TICKET_STATES, AppealDecision, RectificationOutcome, TicketState, TicketStepKind

__all__ = ["Appeal", "RectificationTicket", "TicketStep"]


class RectificationTicket(models.Model):
    """整改工单 for one bad rating: the responsible department and clerk answer for it."""

    rating = models.OneToOneField(
        "evaluation.Rating", verbose_name=_("差评"), on_delete=models.PROTECT, related_name="ticket"
    )
    service = models.ForeignKey(
        "evaluation.Service", verbose_name=_("评价服务"), on_delete=models.PROTECT, related_name="tickets"
    )
    state = models.CharField(_("状态"), max_length=12, choices=TicketState.choices, default=TicketState.OPEN)
    hall = models.ForeignKey("hall.Hall", verbose_name=_("大厅"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "hall.Department", verbose_name=_("责任部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    window = models.ForeignKey(
        "hall.Window", verbose_name=_("窗口"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    named = models.BooleanField(_("实名差评"), help_text=_("实名差评须在1个工作日内回访"))
    opened_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    opened_on = models.DateField(_("生成日期"))
    callback_due = models.DateField(_("回访期限"), null=True, blank=True)
    called_back_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_note = models.TextField(_("回访记录"), blank=True)
    fix_due = models.DateField(_("整改期限"))
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    outcome = models.CharField(_("整改结果"), max_length=10, choices=RectificationOutcome.choices, blank=True)
    outcome_note = models.TextField(_("整改情况或解释说明"), blank=True)
    rectify_days = models.PositiveIntegerField(_("整改用时（工作日）"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    warning_level = models.CharField(_("预警"), max_length=10, choices=WarningLevel.choices, default=WarningLevel.GREEN)
    next_due = models.DateField(_("最近期限"), null=True, blank=True, help_text=_("未完成的回访或整改的最早期限"))
    ever_overdue = models.BooleanField(_("曾超期"), default=False)

    class Meta:
        ordering = ["next_due", "pk"]
        verbose_name = verbose_name_plural = _("差评整改工单")
        indexes = [
            # The scan and every open-work list read only the open tickets, in due order.
            models.Index(
                fields=["next_due", "id"], name="eval_ticket_open_due", condition=Q(state__in=OPEN_TICKET_STATES)
            ),
            models.Index(fields=["department", "state", "next_due"], name="eval_ticket_department"),
            models.Index(fields=["hall", "state", "next_due"], name="eval_ticket_hall"),
            models.Index(fields=["clerk", "state"], name="eval_ticket_clerk"),
            # The ledger (整改台账): a hall's tickets, newest first.
            models.Index(fields=["hall", "opened_at", "id"], name="eval_ticket_ledger"),
        ]

    def __str__(self) -> str:
        return f"整改工单 #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_TICKET_STATES


class TicketStep(AppendOnlyModel):
    """The ledger of a ticket (整改台账): every step, who and when; never edited."""

    ticket = models.ForeignKey(
        RectificationTicket, verbose_name=_("整改工单"), on_delete=models.PROTECT, related_name="steps"
    )
    kind = models.CharField(_("环节"), max_length=20, choices=TicketStepKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=50, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = verbose_name_plural = _("整改台账")

    def __str__(self) -> str:
        return f"{self.ticket_id} · {self.get_kind_display()}"


class Appeal(models.Model):
    """申诉: the responsible side contests a mistaken or malicious rating; a supervisor decides."""

    ticket = models.OneToOneField(
        RectificationTicket, verbose_name=_("整改工单"), on_delete=models.PROTECT, related_name="appeal"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申诉人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("申诉理由"))
    filed_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    decision = models.CharField(_("审核结果"), max_length=10, choices=AppealDecision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_reasons = models.TextField(_("审核理由"), blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("差评申诉")

    def __str__(self) -> str:
        return f"申诉 #{self.pk}"
