"""Security records (GB/T 22239-2019 8.1.4.3 security audit, 8.1.4.11 personal information):

- `AccessRecord`: every time a staff member reads a citizen's personal data (a case's page, a material
  file, a document, an export with personal data) — who, role, hall, what, when, from where. Append-only:
  the model refuses save of an existing row and delete; on PostgreSQL a trigger refuses UPDATE/DELETE.
- `SecurityEvent`: failed logins, lockouts, refused accesses, second-factor failures and resets, role
  changes, admin edits, ended sessions. Append-only in the same way; also written as a JSON log line.

Kept in hall with a plain case id (no foreign key), as ClockWarning, so that hall stays below cases.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..constants import AccessKind, SecurityEventKind


class ImmutableError(Exception):
    """Raised when code tries to change or delete an append-only record (audit events, issued
    documents, access records, security events, delivery proofs, ratings)."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError(f"{self.model._meta.verbose_name}只能追加，不能修改。")

    def delete(self):
        raise ImmutableError(f"{self.model._meta.verbose_name}只能追加，不能删除。")

    def bulk_update(self, objs, fields, batch_size=None):
        raise ImmutableError(f"{self.model._meta.verbose_name}只能追加，不能修改。")


class AppendOnlyModel(models.Model):
    """A row that is written once: save() of an existing row and delete() are refused (the database
    triggers of the migrations refuse UPDATE and DELETE as well)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError(f"{self._meta.verbose_name}只能追加，不能修改。")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(f"{self._meta.verbose_name}只能追加，不能删除。")


class AccessRecord(AppendOnlyModel):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("查看人"), on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("查看人姓名"), max_length=50)
    role = models.CharField(_("岗位"), max_length=20, blank=True, help_text=_("查看时的岗位（StaffRole）"))
    hall = models.ForeignKey(
        "hall.Hall", verbose_name=_("所在大厅"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("查看内容"), max_length=20, choices=AccessKind.choices)
    case_id = models.BigIntegerField(_("办件ID"), null=True, blank=True)
    case_number = models.CharField(_("办件编号"), max_length=40, blank=True)
    target = models.CharField(_("对象"), max_length=200, blank=True, help_text=_("材料文件名、文书编号或导出范围"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The citizen's "who looked at my case" and the supervisor's search by case.
            models.Index(fields=["case_id", "-created_at", "-id"], name="access_by_case"),
            # The supervisor's search by case number.
            models.Index(fields=["case_number", "-created_at", "-id"], name="access_by_case_number"),
            # The supervisor's search by staff member, newest first.
            models.Index(fields=["actor", "-created_at", "-id"], name="access_by_actor"),
            models.Index(fields=["-created_at", "-id"], name="access_newest"),
        ]
        verbose_name = verbose_name_plural = _("个人信息访问记录")

    def __str__(self) -> str:
        return f"{self.actor_name} {self.get_kind_display()} {self.case_number}"

    @property
    def role_label(self) -> str:
        from ..constants import StaffRole

        try:
            return str(StaffRole(self.role).label)
        except ValueError:
            return self.role


class SecurityEvent(AppendOnlyModel):
    kind = models.CharField(_("事件"), max_length=30, choices=SecurityEventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("事件涉及的账号（已知时）"),
    )
    username = models.CharField(_("登录名"), max_length=150, blank=True, help_text=_("输入的登录名，已脱敏"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("由他人操作时（如系统管理员重置双因素认证）"),
    )
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    path = models.CharField(_("访问地址"), max_length=300, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="security_event_newest"),
            models.Index(fields=["kind", "-created_at", "-id"], name="security_event_by_kind"),
            # The burst rule counts one account's refused accesses in the last minutes.
            models.Index(fields=["user", "kind", "-created_at"], name="security_event_by_user"),
        ]
        verbose_name = verbose_name_plural = _("安全事件")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username}"
