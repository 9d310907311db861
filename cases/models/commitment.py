"""告知承诺制 (approval by commitment): the applicant's signed commitment, which proofs it replaced, and
the department's post-check (事后核查) that confirms it or finds it false (which revokes the grant)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..constants import CommitmentOutcome


class Commitment(models.Model):
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="commitment"
    )
    text = models.TextField(_("承诺书内容"), help_text=_("申请人签署的告知承诺书全文"))
    replaced_materials = models.ManyToManyField(
        "items.Material", verbose_name=_("以承诺代替的证明材料"), related_name="+", blank=True
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签署人"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("签署时间"))
    check_due = models.DateField(_("核查期限"), null=True, blank=True, db_index=True)
    outcome = models.CharField(
        _("核查结果"), max_length=10, choices=CommitmentOutcome.choices, default=CommitmentOutcome.PENDING
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    check_note = models.TextField(_("核查情况"), blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, help_text=_("承诺不实，准予决定被撤销"))

    class Meta:
        verbose_name = verbose_name_plural = _("告知承诺")
        indexes = [
            models.Index(
                fields=["check_due"],
                name="commitment_pending_check",
                condition=models.Q(outcome="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} 告知承诺"
