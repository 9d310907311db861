"""The hall floor: opening hours and slots, bookings (预约), queue tickets (取号) and the windows that
call them (叫号). DOMAIN.md §7 gives the ticket conventions; hall/floor/ holds the services."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..constants import WindowCategory
from ..floor.constants import BookingState, DayType, PriorityReason, TicketLane, TicketState
from .organisation import Hall, User, Window

__all__ = ["OpeningHours", "ClosedDay", "Slot", "Booking", "WindowSeat", "TicketSequence", "Ticket"]


class OpeningHours(models.Model):
    """One opening period of a hall's window category on one type of day, cut into slots.

    Working days and swapped working days (调休上班日) follow the working-day calendar; statutory
    holidays are closed whatever is set here; weekend and evening periods are by appointment only
    (延时服务、预约服务): the kiosk issues no walk-in ticket then."""

    hall = models.ForeignKey(Hall, verbose_name=_("大厅"), on_delete=models.CASCADE, related_name="opening_hours_set")
    category = models.CharField(_("窗口类别"), max_length=20, choices=WindowCategory.choices)
    day_type = models.CharField(_("日期类型"), max_length=20, choices=DayType.choices)
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    slot_minutes = models.PositiveSmallIntegerField(_("时段长度（分钟）"), default=30)
    capacity = models.PositiveSmallIntegerField(_("每时段可预约人数"), default=4)
    booking_only = models.BooleanField(
        _("仅限预约"), default=False, help_text=_("延时或周末服务：只接待预约群众，取号机不发普通号")
    )

    class Meta:
        ordering = ["hall", "category", "day_type", "starts_at"]
        indexes = [models.Index(fields=["hall", "category", "day_type"], name="hours_hall_category_day")]
        verbose_name = verbose_name_plural = _("窗口开放时间")

    def __str__(self) -> str:
        return f"{self.hall} {self.get_category_display()} {self.get_day_type_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"

    def clean(self):
        if self.day_type == DayType.HOLIDAY:
            raise ValidationError({"day_type": _("法定节假日闭厅，不能设置开放时间。")})
        if self.starts_at and self.ends_at and self.starts_at >= self.ends_at:
            raise ValidationError({"ends_at": _("结束时间必须晚于开始时间。")})
        if not self.slot_minutes or self.slot_minutes < 5 or self.slot_minutes > 240:
            raise ValidationError({"slot_minutes": _("时段长度应在5到240分钟之间。")})
        if not self.capacity:
            raise ValidationError({"capacity": _("每时段可预约人数至少为1。")})
        if self.day_type == DayType.REST_DAY:
            self.booking_only = True
        if self.hall_id and self.starts_at and self.ends_at:
            overlapping = OpeningHours.objects.filter(
                hall_id=self.hall_id,
                category=self.category,
                day_type=self.day_type,
                starts_at__lt=self.ends_at,
                ends_at__gt=self.starts_at,
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(_("与该窗口类别同类日期的另一段开放时间重叠。"))


class ClosedDay(models.Model):
    """A day a hall is closed outside the calendar (停电、系统升级…): its bookings are cancelled and
    the people booked are told."""

    hall = models.ForeignKey(Hall, verbose_name=_("大厅"), on_delete=models.CASCADE, related_name="closed_days")
    date = models.DateField(_("日期"))
    reason = models.CharField(_("闭厅原因"), max_length=200)
    closed_by = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["hall", "date"], name="closed_day_once_per_hall")]
        verbose_name = verbose_name_plural = _("闭厅日")

    def __str__(self) -> str:
        return f"{self.hall} {self.date:%Y-%m-%d}"


class Slot(models.Model):
    """One bookable period, made from the opening hours the first time someone books it. Its row is
    the lock that makes the last place go to exactly one of two people booking at once."""

    hall = models.ForeignKey(Hall, verbose_name=_("大厅"), on_delete=models.CASCADE, related_name="slots")
    category = models.CharField(_("窗口类别"), max_length=20, choices=WindowCategory.choices)
    date = models.DateField(_("日期"))
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可预约人数"))
    booked = models.PositiveSmallIntegerField(_("已预约人数"), default=0)
    booking_only = models.BooleanField(_("仅限预约"), default=False)

    class Meta:
        ordering = ["date", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "category", "date", "starts_at"], name="slot_unique_start"),
            models.CheckConstraint(condition=Q(booked__lte=models.F("capacity")), name="slot_not_overbooked"),
        ]
        verbose_name = verbose_name_plural = _("预约时段")

    def __str__(self) -> str:
        return f"{self.hall} {self.date:%m-%d} {self.starts_at:%H:%M}"


class Booking(models.Model):
    """A citizen's appointment (预约) for one item at one hall in one slot. The item lives in a higher
    app: the booking keeps its id and name as they were when booked."""

    code = models.CharField(_("预约码"), max_length=8, unique=True, help_text=_("到大厅取号机输入此码取预约号"))
    citizen = models.ForeignKey(User, verbose_name=_("预约人"), on_delete=models.PROTECT, related_name="bookings")
    hall = models.ForeignKey(Hall, verbose_name=_("大厅"), on_delete=models.PROTECT, related_name="bookings")
    slot = models.ForeignKey(Slot, verbose_name=_("时段"), on_delete=models.PROTECT, related_name="bookings")
    category = models.CharField(_("窗口类别"), max_length=20, choices=WindowCategory.choices)
    date = models.DateField(_("预约日期"))
    starts_at = models.TimeField(_("时段开始"))
    item_id = models.BigIntegerField(_("事项ID"))
    item_name = models.CharField(_("事项名称"), max_length=200)
    state = models.CharField(_("状态"), max_length=20, choices=BookingState.choices, default=BookingState.ACTIVE)
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True, help_text=_("前一天的预约提醒"))

    class Meta:
        ordering = ["date", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["citizen", "item_id"],
                condition=Q(state="active"),
                name="booking_one_active_per_item",
                violation_error_message=_("您已预约过该事项，请先取消原预约。"),
            ),
        ]
        indexes = [
            models.Index(fields=["citizen", "-date"], name="booking_citizen_date"),
            models.Index(fields=["date"], condition=Q(state="active"), name="booking_active_date"),
            models.Index(fields=["hall", "date", "state"], name="booking_hall_date_state"),
        ]
        verbose_name = verbose_name_plural = _("预约")

    def __str__(self) -> str:
        return f"{self.code} {self.item_name}"


class WindowSeat(models.Model):
    """A window as the queue sees it: the categories it calls and the clerk signed in at it now."""

    window = models.OneToOneField(Window, verbose_name=_("窗口"), on_delete=models.CASCADE, related_name="seat")
    categories = models.JSONField(
        _("叫号类别"), default=list, blank=True, help_text=_("该窗口叫哪些类别的号；空表示只叫本窗口类别")
    )
    clerk = models.ForeignKey(
        User, verbose_name=_("在岗人员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="seats"
    )
    signed_in_at = models.DateTimeField(_("登录时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("窗口叫号设置")

    def __str__(self) -> str:
        return str(self.window)

    @property
    def served_categories(self) -> list[str]:
        return list(self.categories) or [self.window.category]


class TicketSequence(models.Model):
    """The last sequence number issued per hall, day and category: locked to number the next ticket."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    category = models.CharField(max_length=20, choices=WindowCategory.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hall", "date", "category"], name="ticket_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.date} {self.category} {self.last}"


class Ticket(models.Model):
    """A queue ticket (取号): optional V (priority) / Y (booked) + category letter + a 3-digit daily
    sequence. waiting → called → served / missed; a called ticket may be transferred to another
    category (a new ticket, ahead of the walk-ins). One waiting ticket per person per category a day."""

    hall = models.ForeignKey(Hall, verbose_name=_("大厅"), on_delete=models.PROTECT, related_name="tickets")
    date = models.DateField(_("日期"))
    category = models.CharField(_("窗口类别"), max_length=20, choices=WindowCategory.choices)
    lane = models.CharField(_("通道"), max_length=10, choices=TicketLane.choices, default=TicketLane.WALK_IN)
    rank = models.PositiveSmallIntegerField(_("叫号优先级"), default=2, help_text=_("0 优先，1 预约，2 普通"))
    sequence = models.PositiveIntegerField(_("当日序号"))
    number = models.CharField(_("号码"), max_length=8)
    person = models.ForeignKey(
        User, verbose_name=_("取号人"), null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    booking = models.OneToOneField(
        Booking, verbose_name=_("预约"), null=True, blank=True, on_delete=models.PROTECT, related_name="ticket"
    )
    priority_reason = models.CharField(_("优先原因"), max_length=20, choices=PriorityReason.choices, blank=True)
    transferred_from = models.ForeignKey(
        "self", verbose_name=_("转自"), null=True, blank=True, on_delete=models.PROTECT, related_name="transfers"
    )
    state = models.CharField(_("状态"), max_length=20, choices=TicketState.choices, default=TicketState.WAITING)
    issued_at = models.DateTimeField(_("取号时间"))
    called_at = models.DateTimeField(_("首次叫号时间"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("最近叫号时间"), null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(_("叫号次数"), default=0)
    served_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True, help_text=_("办理、过号或转出的时间"))
    window = models.ForeignKey(
        Window, verbose_name=_("窗口"), null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    clerk = models.ForeignKey(
        User, verbose_name=_("窗口人员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    wait_seconds = models.PositiveIntegerField(_("等候秒数"), null=True, blank=True)
    service_seconds = models.PositiveIntegerField(_("办理秒数"), null=True, blank=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "date", "category", "sequence"], name="ticket_sequence_once"),
            models.UniqueConstraint(
                fields=["person", "date", "category"],
                condition=Q(state="waiting"),
                name="ticket_one_waiting_per_person",
                violation_error_message=_("您在该类别已有一张等候中的号，请勿重复取号。"),
            ),
        ]
        indexes = [
            # The queue: waiting tickets of a hall's day and category in calling order.
            models.Index(
                fields=["hall", "date", "category", "rank", "id"],
                condition=Q(state="waiting"),
                name="ticket_waiting_queue",
            ),
            # The calling screen: the latest calls of a hall's day.
            models.Index(fields=["hall", "date", "-last_called_at"], name="ticket_latest_calls"),
            # Figures per hall and day, and the closing sweep.
            models.Index(fields=["date", "hall", "state"], name="ticket_day_hall_state"),
        ]
        verbose_name = verbose_name_plural = _("排队号")

    def __str__(self) -> str:
        return self.number
