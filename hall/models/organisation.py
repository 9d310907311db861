"""The organisation: regions (GB/T 2260), halls, departments, windows, accounts and staff roles."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..constants import (
    AccountKind,
    AttemptOutcome,
    DayKind,
    DaySource,
    DeliveryStatus,
    NoticeChannel,
    RegionLevel,
    StaffRole,
    WindowCategory,
)
from ..fields import BlindIndexField, EncryptedCharField
from ..validators import mask_id_number, validate_credit_code, validate_id_number, validate_mobile, validate_region_code
from .security import AppendOnlyModel


class Region(models.Model):
    code = models.CharField(
        "行政区划代码", max_length=6, unique=True, validators=[validate_region_code], help_text="GB/T 2260 六位代码"
    )
    name = models.CharField("名称", max_length=50)
    level = models.PositiveSmallIntegerField("层级", choices=RegionLevel.choices)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return self.name


class Hall(models.Model):
    code = models.CharField("大厅编码", max_length=12, unique=True, help_text="用于办件编号前缀")
    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="halls")
    is_city_hall = models.BooleanField("市级大厅", default=False)
    address = models.CharField("地址", max_length=200, blank=True)
    opening_hours = models.CharField("办公时间", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "政务服务大厅"

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    name = models.CharField("部门名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="departments")
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code], help_text="实施主体编码"
    )

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = verbose_name_plural = "部门"

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.CASCADE, related_name="windows")
    number = models.PositiveSmallIntegerField("窗口号")
    category = models.CharField("窗口类别", max_length=20, choices=WindowCategory.choices)
    name = models.CharField("名称", max_length=60, blank=True)

    class Meta:
        ordering = ["hall", "number"]
        constraints = [models.UniqueConstraint(fields=["hall", "number"], name="window_number_unique_per_hall")]
        verbose_name = verbose_name_plural = "窗口"

    def __str__(self) -> str:
        return f"{self.hall.name} {self.number}号窗口（{self.get_category_display()}）"


def citizen_username(mobile: str) -> str:
    from ..crypto import blind_index

    return "u" + blind_index(mobile)[:24]


class User(AbstractUser):
    """One account for citizens and staff. Citizens log in with their mobile or ID number;
    `username` is kept as the unique login key Django needs and set to the mobile for citizens."""

    kind = models.CharField("账号类型", max_length=20, choices=AccountKind.choices, default=AccountKind.PERSON)
    real_name = models.CharField("姓名", max_length=50, blank=True)
    # Stored SM4-encrypted (hall/crypto.py); found and kept unique through their SM3-HMAC blind indexes.
    id_number = EncryptedCharField(
        "身份证号", max_length=18, blank=True, validators=[validate_id_number], help_text="居民身份证号（GB 11643）"
    )
    mobile = EncryptedCharField("手机号", max_length=11, blank=True, validators=[validate_mobile])
    id_number_index = BlindIndexField("身份证号盲索引", source="id_number")
    mobile_index = BlindIndexField("手机号盲索引", source="mobile")
    # Sessions started before this moment are void ("end all my sessions", a password change): read from the
    # account row the session middleware loads anyway, so the check costs no query.
    sessions_valid_after = models.DateTimeField("会话有效起点", null=True, blank=True, editable=False)

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mobile_index"], condition=~Q(mobile_index=""), name="user_mobile_index_unique"
            ),
            models.UniqueConstraint(
                fields=["id_number_index"], condition=~Q(id_number_index=""), name="user_id_number_index_unique"
            ),
        ]
        verbose_name = verbose_name_plural = "账号"

    def __str__(self) -> str:
        return self.real_name or self.username

    def save(self, *args, **kwargs):
        # A citizen signs up with their mobile, which is stored encrypted: the login name Django needs must
        # not repeat it in clear, so it becomes a pseudonym derived from the mobile's blind index. Citizens
        # keep logging in with the mobile or ID number (hall.auth_backends).
        if self.kind != AccountKind.STAFF and self.mobile and self.username == self.mobile:
            self.username = citizen_username(self.mobile)
        super().save(*args, **kwargs)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def is_citizen(self) -> bool:
        return self.kind in (AccountKind.PERSON, AccountKind.ENTERPRISE)

    def roles(self) -> set[str]:
        from ..selectors import staff_assignments  # the request's one read of them, usually cached

        return {a.role for a in staff_assignments(self)}

    def has_role(self, role: str) -> bool:
        return role in self.roles()


class Enterprise(models.Model):
    """A legal person applying through an agent's account."""

    name = models.CharField("单位名称", max_length=200)
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code], help_text="GB 32100"
    )
    legal_representative = models.CharField("法定代表人", max_length=50)
    agent = models.OneToOneField(User, verbose_name="经办人账号", on_delete=models.PROTECT, related_name="enterprise")

    class Meta:
        verbose_name = verbose_name_plural = "企业"

    def __str__(self) -> str:
        return self.name


class StaffAssignment(models.Model):
    """A staff member's role at a hall, and for approvers and catalogue admins their department."""

    user = models.ForeignKey(User, verbose_name="工作人员", on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField("角色", max_length=20, choices=StaffRole.choices)
    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.PROTECT, related_name="assignments")
    department = models.ForeignKey(
        Department, verbose_name="部门", null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    window = models.ForeignKey(
        Window, verbose_name="窗口", null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "hall"], name="assignment_unique_role_per_hall"),
        ]
        verbose_name = verbose_name_plural = "岗位分配"

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.hall}"


class WorkingDay(models.Model):
    """One day of the working-day calendar (行政许可法 Art. 82: limits count working days only).

    Seeded from chinesecalendar for the years the State Council has announced; a year without an
    announcement is seeded by rule (weekends plus the fixed statutory holidays) and marked provisional.
    Rows an admin has edited (`source=admin`) are never overwritten by reseeding."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("工作日", help_text="办理时限是否计算这一天")
    kind = models.CharField("类型", max_length=20, choices=DayKind.choices, default=DayKind.NORMAL)
    source = models.CharField("来源", max_length=10, choices=DaySource.choices, default=DaySource.SEEDED)
    note = models.CharField("说明", max_length=60, blank=True, help_text="节日名称或调整原因")
    provisional = models.BooleanField(
        "暂定", default=False, help_text="该年度国务院放假安排尚未公布，按规则推算；正式安排录入后取消"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = verbose_name_plural = "工作日历"

    def __str__(self) -> str:
        label = "工作日" if self.is_working_day else "休息日"
        return f"{self.date:%Y-%m-%d} {label}{'（暂定）' if self.provisional else ''}"


class Notice(models.Model):
    """An outbox row: written in the transaction of the event that causes it, then delivered by
    Celery through its channels (one `NoticeDelivery` per channel). The in-site inbox shows it
    once its inbox delivery is sent."""

    recipient = models.ForeignKey(User, verbose_name="接收人", on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField("通知类型", max_length=40, help_text="如 case_accepted、clock_warning")
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    link = models.CharField("链接", max_length=300, blank=True)
    case_number = models.CharField("办件编号", max_length=40, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_recipient_read")]
        verbose_name = verbose_name_plural = "通知"

    def __str__(self) -> str:
        return self.subject


class NoticeDelivery(models.Model):
    """One channel of one notice. A sender claims it (pending → sending, attempts + 1) in one UPDATE
    before sending, so a task run twice sends once; the sweeper returns stale claims to pending. Every
    send carries `idempotency_key` (notice × channel, the same on every retry and resend), so a
    gateway that honours it sends once even when a delivery is sent again."""

    notice = models.ForeignKey(Notice, verbose_name="通知", on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=10, choices=NoticeChannel.choices)
    # A mobile or e-mail address: personal data, stored SM4-encrypted.
    address = EncryptedCharField("地址", max_length=254, blank=True, help_text="手机号或电子邮箱；站内信为空")
    status = models.CharField("状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    queue_failed_at = models.DateTimeField(
        "入队失败时间",
        null=True,
        blank=True,
        help_text="消息队列不可用、未能交给发送任务时记下；清扫任务下一轮即重新入队",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "channel"], name="notice_delivery_one_per_channel")]
        indexes = [
            # The sweeper reads only unsent deliveries (pending, sending, failed): an index that holds
            # them alone stays as small as the work in flight, however many notices were ever sent.
            models.Index(
                fields=["status", "claimed_at"],
                name="notice_delivery_unsent",
                condition=Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED]),
            ),
        ]
        verbose_name = verbose_name_plural = "通知发送记录"

    def __str__(self) -> str:
        return f"{self.notice_id} · {self.get_channel_display()} · {self.get_status_display()}"

    @property
    def idempotency_key(self) -> str:
        return notice_idempotency_key(self.notice_id, self.channel)


def notice_idempotency_key(notice_id: int, channel: str) -> str:
    """The key every send of one channel of one notice carries, on every retry and resend."""
    return f"tongban-notice-{notice_id}-{channel}"


class NoticeDeliveryAttempt(AppendOnlyModel):
    """One send attempt of a notice delivery, written once when the attempt ends (with the delivery's
    new status, in the same transaction). Append-only: the model refuses changes and deletes; on
    PostgreSQL a trigger refuses UPDATE and DELETE. It outlives its notice (no foreign key constraint),
    so the count of attempts per delivery, and of deliveries sent more than once, stays countable.
    An attempt cut off by a dead worker leaves no row; its resend carries the same idempotency key."""

    delivery = models.ForeignKey(
        NoticeDelivery,
        verbose_name=_("通知发送记录"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="attempt_log",
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=NoticeChannel.choices)
    attempt = models.PositiveSmallIntegerField(_("第几次尝试"))
    idempotency_key = models.CharField(_("幂等键"), max_length=80)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"))
    outcome = models.CharField(_("结果"), max_length=10, choices=AttemptOutcome.choices)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    worker = models.CharField(_("发送进程"), max_length=100, blank=True, help_text=_("主机名:进程号"))

    class Meta:
        ordering = ["delivery_id", "attempt"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "attempt"], name="notice_attempt_once"),
        ]
        verbose_name = verbose_name_plural = _("通知发送尝试记录")

    def __str__(self) -> str:
        return f"{self.idempotency_key} #{self.attempt} {self.get_outcome_display()}"


class ClockWarning(models.Model):
    """Each change of a case clock's warning level, recorded exactly once by the SLA scan.

    Kept here with a plain case id (no foreign key) so that hall stays below cases in the import
    order; the unique constraint makes a second scan of the same change a no-op."""

    case_id = models.BigIntegerField("办件ID", db_index=True)
    case_number = models.CharField("办件编号", max_length=40, blank=True)
    clock = models.CharField("时限", max_length=20, help_text="intake / decision / delivery / supplement / deferred")
    due_on = models.DateField("到期日")
    level = models.CharField("预警等级", max_length=10)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["case_id", "clock", "due_on", "level"], name="clock_warning_once"),
        ]
        verbose_name = verbose_name_plural = "时限预警记录"

    def __str__(self) -> str:
        return f"{self.case_number} {self.clock} {self.level}"
