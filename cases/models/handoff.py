"""Cross-county hand-off (全市通办, DOMAIN.md §4): an application received at a hall of another county
travels to the owning county and its result travels back.

A `Handoff` belongs to one case and says who owns each stage, who archives what, and where the file is;
each movement between the two halls is a `HandoffLeg` (electronic materials at once, paper originals by
post or courier with a tracking number, forwarded supplements, the result sent back), with who sent it
and when, and who confirmed its arrival and when. `HandoffTally` keeps the supervisor's figures per pair
of counties, maintained by the services, so the figures never read every hand-off.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from items.constants import CrossAreaMode

from ..constants import INCOMING_HANDOFF_STATES, OPEN_HANDOFF_STATES, Carrier, HandoffState, LegKind
from .core import Case


class Handoff(models.Model):
    case = models.OneToOneField(Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="handoff")
    mode = models.CharField(
        _("异地办理方式"),
        max_length=20,
        choices=CrossAreaMode.choices,
        help_text=_("代收转交（收件地只收件、核验、扫描、转交），或代为受理（收件地代属地受理）"),
    )
    state = models.CharField(
        _("移交状态"), max_length=20, choices=HandoffState.choices, default=HandoffState.AWAITING_FORWARD
    )
    receiving_hall = models.ForeignKey(
        "hall.Hall", verbose_name=_("收件大厅"), on_delete=models.PROTECT, related_name="handoffs_sent"
    )
    owning_hall = models.ForeignKey(
        "hall.Hall",
        verbose_name=_("属地大厅"),
        on_delete=models.PROTECT,
        related_name="handoffs_received",
        help_text=_("事项所属县区接收移交、负责受理的大厅"),
    )
    # The pair of counties, kept on the row for the figures and the supervisors' scope.
    receiving_region = models.ForeignKey(
        "hall.Region", verbose_name=_("收件地区划"), on_delete=models.PROTECT, related_name="+"
    )
    owning_region = models.ForeignKey(
        "hall.Region", verbose_name=_("属地区划"), on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("收件时间"), help_text=_("收件大厅收到申请之时；受理审查期限从此起算"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    forward_due = models.DateField(_("转交期限"), help_text=_("收件后应在规定工作日内转交属地"))
    forwarded_at = models.DateTimeField(_("转交时间"), null=True, blank=True)
    owner_received_at = models.DateTimeField(_("属地接收时间"), null=True, blank=True)
    result_return = models.BooleanField(
        _("结果寄回收件大厅"), default=False, help_text=_("申请人选择在收件大厅领取办理结果")
    )
    stage_owners = models.JSONField(
        _("各环节责任方"), default=dict, help_text=_("收件、受理、审批、制证、送达、归档各由哪一方负责")
    )
    receiving_archive = models.TextField(_("收件地归档责任"))
    owning_archive = models.TextField(_("属地归档责任"))
    next_due = models.DateField(
        _("最近期限"), null=True, blank=True, help_text=_("未完成的转交、寄递或结果寄回中最早的期限")
    )
    # The case's decision, kept on the hand-off by cases.services._common.save_case so that the owning
    # hall's results to send back are one partial index of this table, not a join filtered on the case.
    decided = models.BooleanField(
        _("属地已作出决定"),
        default=False,
        db_default=False,
        help_text=_("办件已准予或不予许可；申请人在收件大厅领取的，结果待寄回"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("通办移交")
        indexes = [
            # Each list of the hand-off desk reads its own open work only, newest first (keyset on
            # created_at, pk): the owning hall's incoming hand-offs (to confirm, then to review), the
            # receiving hall's outgoing ones, and the owning hall's decided results to send back.
            models.Index(
                fields=["owning_hall", "-created_at", "-id"],
                name="handoff_incoming",
                condition=Q(state__in=INCOMING_HANDOFF_STATES),
            ),
            models.Index(
                fields=["receiving_hall", "-created_at", "-id"],
                name="handoff_outgoing_open",
                condition=Q(state__in=OPEN_HANDOFF_STATES),
            ),
            models.Index(
                fields=["owning_hall", "-created_at", "-id"],
                name="handoff_results_to_send",
                condition=Q(state=HandoffState.RECEIVED, result_return=True, decided=True),
            ),
            # The overdue count: open hand-offs by due date.
            models.Index(fields=["next_due"], name="handoff_open_due", condition=Q(state__in=OPEN_HANDOFF_STATES)),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.receiving_hall} → {self.owning_hall}"


class HandoffLeg(models.Model):
    """One movement between the halls: sent by whom and when, received by whom and when."""

    handoff = models.ForeignKey(Handoff, verbose_name=_("通办移交"), on_delete=models.PROTECT, related_name="legs")
    kind = models.CharField(_("内容"), max_length=20, choices=LegKind.choices)
    from_hall = models.ForeignKey("hall.Hall", verbose_name=_("寄出大厅"), on_delete=models.PROTECT, related_name="+")
    to_hall = models.ForeignKey("hall.Hall", verbose_name=_("接收大厅"), on_delete=models.PROTECT, related_name="+")
    carrier = models.CharField(_("方式"), max_length=20, choices=Carrier.choices)
    tracking_number = models.CharField(_("寄递单号"), max_length=40, blank=True)
    sent_at = models.DateTimeField(_("寄出时间"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("寄出人"), on_delete=models.PROTECT, related_name="+"
    )
    sent_by_name = models.CharField(_("寄出人姓名"), max_length=50)
    due = models.DateField(_("应到日期"))
    received_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_by_name = models.CharField(_("接收人姓名"), max_length=50, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = verbose_name_plural = _("移交寄递")
        constraints = [
            # Anything that is not sent over the network travels with a tracking number.
            models.CheckConstraint(
                condition=Q(carrier=Carrier.NETWORK) | ~Q(tracking_number=""), name="handoff_leg_tracking_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.from_hall} → {self.to_hall}"

    @property
    def transit_seconds(self) -> int | None:
        if self.received_at is None:
            return None
        return int((self.received_at - self.sent_at).total_seconds())


class HandoffTally(models.Model):
    """The supervisor's figures per pair of counties, kept by the services as they happen: the number of
    hand-offs (kind `handoff`, bucket 0) and, per leg kind, how many arrived within each transit bucket
    and their total transit time (average = total / count; p90 from the buckets)."""

    receiving_region = models.ForeignKey(
        "hall.Region", verbose_name=_("收件地"), on_delete=models.PROTECT, related_name="+"
    )
    owning_region = models.ForeignKey("hall.Region", verbose_name=_("属地"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=20)
    bucket = models.PositiveIntegerField(_("时长上限（小时）"), help_text=_("在途时长不超过此小时数；0 表示移交件数"))
    count = models.PositiveIntegerField(_("件数"), default=0)
    total_seconds = models.BigIntegerField(_("在途总时长（秒）"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("通办移交统计")
        constraints = [
            models.UniqueConstraint(
                fields=["receiving_region", "owning_region", "kind", "bucket"], name="handoff_tally_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.receiving_region}→{self.owning_region} {self.kind}≤{self.bucket}h: {self.count}"
