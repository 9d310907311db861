"""Bookings (预约): a citizen books a slot for an item at a hall, cancels it, is reminded the day
before; a hall closes a day; bookings nobody came for become no-shows.

The item belongs to a higher app (items): the caller passes its id and name and has already
checked that the hall may receive it. Each service is one transaction; bad input raises
ValidationError with a plain Chinese message and changes nothing."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..constants import WindowCategory
from ..models import Booking, ClosedDay, Hall, Slot, User
from ..notices import notice_queue
from .clock import floor_now, floor_today, local_moment
from .constants import BLOCK_DAYS, BOOKING_HORIZON_DAYS, NO_SHOW_LIMIT, NO_SHOW_WINDOW_DAYS, BookingState
from .hours import slot_plan_at

CODE_ALPHABET = "23456789"  # digits only: typed on the kiosk's number pad, no 0/1 to misread
CODE_LENGTH = 8


def booking_blocked_until(citizen: User, *, today: dt.date | None = None) -> dt.date | None:
    """The day online booking opens again for `citizen`, or None when they may book.

    NO_SHOW_LIMIT no-shows within NO_SHOW_WINDOW_DAYS block booking for BLOCK_DAYS from the day of
    the no-show that reached the limit (one query over the last 120 days of that person's no-shows)."""
    today = today or floor_today()
    since = today - dt.timedelta(days=NO_SHOW_WINDOW_DAYS + BLOCK_DAYS)
    days = list(
        Booking.objects.filter(citizen=citizen, state=BookingState.NO_SHOW, date__gte=since)
        .order_by("date")
        .values_list("date", flat=True)
    )
    blocked_until = None
    for index in range(NO_SHOW_LIMIT - 1, len(days)):
        if (days[index] - days[index - NO_SHOW_LIMIT + 1]).days < NO_SHOW_WINDOW_DAYS:
            blocked_until = days[index] + dt.timedelta(days=BLOCK_DAYS)
    if blocked_until and blocked_until > today:
        return blocked_until
    return None


def _new_code() -> str:
    for _attempt in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not Booking.objects.filter(code=code).exists():
            return code
    raise RuntimeError("no free booking code")


def _slot_locked(*, hall: Hall, category: str, day: dt.date, starts_at: dt.time) -> Slot:
    """The slot's row, made from the opening hours if nobody booked it yet, locked FOR UPDATE."""
    plan = slot_plan_at(hall, day, category, starts_at)
    if plan is None:
        raise ValidationError(_("该时段不开放预约（闭厅、节假日或不在开放时间内），请选择其他时段。"), code="closed")
    try:
        with transaction.atomic():
            Slot.objects.get_or_create(
                hall=hall,
                category=category,
                date=day,
                starts_at=starts_at,
                defaults={"ends_at": plan.ends_at, "capacity": plan.capacity, "booking_only": plan.booking_only},
            )
    except IntegrityError:
        pass  # made by a concurrent booker a moment ago: lock theirs
    return Slot.objects.select_for_update().get(hall=hall, category=category, date=day, starts_at=starts_at)


@transaction.atomic
def booking_create(
    *,
    citizen: User,
    hall: Hall,
    category: str,
    day: dt.date,
    starts_at: dt.time,
    item_id: int,
    item_name: str,
) -> Booking:
    """Book one place in a slot for an item.

    1. Only a logged-in citizen who is not blocked for no-shows may book, within the horizon.
    2. The slot must lie in the future and be open (hours, calendar, no closure).
    3. The slot row is locked; a full slot is refused (of two people taking the last place at the
       same moment, the second waits for the first's commit and then sees it full).
    4. One active booking per person per item (a database constraint backs the check)."""
    if not citizen.is_authenticated or not citizen.is_citizen:
        raise PermissionDenied(_("请以群众账号登录后预约。"))
    if category not in WindowCategory.values:
        raise ValidationError(_("窗口类别无效。"), code="category")
    now = floor_now()
    blocked = booking_blocked_until(citizen, today=timezone.localdate(now))
    if blocked:
        raise ValidationError(
            _("您近90天内爽约已达%(limit)d次，%(until)s前不能在线预约，可到大厅现场取号办理。")
            % {"limit": NO_SHOW_LIMIT, "until": f"{blocked:%Y年%m月%d日}"},
            code="blocked",
        )
    if local_moment(day, starts_at) <= now:
        raise ValidationError(_("不能预约已经开始或已过去的时段。"), code="past")
    if day > timezone.localdate(now) + dt.timedelta(days=BOOKING_HORIZON_DAYS):
        raise ValidationError(_("最多可预约%(days)d天内的时段。") % {"days": BOOKING_HORIZON_DAYS}, code="horizon")
    if Booking.objects.filter(citizen=citizen, item_id=item_id, state=BookingState.ACTIVE).exists():
        raise ValidationError(_("您已预约过该事项，请先取消原预约。"), code="duplicate")
    slot = _slot_locked(hall=hall, category=category, day=day, starts_at=starts_at)
    if slot.booked >= slot.capacity:
        raise ValidationError(_("该时段已约满，请选择其他时段。"), code="full")
    slot.booked += 1
    slot.save(update_fields=["booked"])
    booking = Booking(
        code=_new_code(),
        citizen=citizen,
        hall=hall,
        slot=slot,
        category=category,
        date=day,
        starts_at=starts_at,
        item_id=item_id,
        item_name=item_name[:200],
    )
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as error:
        raise ValidationError(_("您已预约过该事项，请先取消原预约。"), code="duplicate") from error
    notice_queue(
        recipient=citizen,
        kind="booking_created",
        subject=_("预约成功：%(item)s") % {"item": booking.item_name},
        body=_("您已预约%(hall)s %(day)s %(time)s办理“%(item)s”，预约码 %(code)s。请按时到大厅取号机输入预约码取号。")
        % {
            "hall": hall.name,
            "day": f"{day:%Y-%m-%d}",
            "time": f"{starts_at:%H:%M}",
            "item": booking.item_name,
            "code": booking.code,
        },
        link=reverse("floor:bookings"),
    )
    return booking


def _release(booking: Booking) -> None:
    slot = Slot.objects.select_for_update().get(pk=booking.slot_id)
    slot.booked = max(slot.booked - 1, 0)
    slot.save(update_fields=["booked"])


@transaction.atomic
def booking_cancel(*, booking: Booking, citizen: User) -> Booking:
    """The citizen cancels an active booking before its slot starts; the place is free again."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.citizen_id != citizen.pk:
        raise PermissionDenied
    if booking.state != BookingState.ACTIVE:
        raise ValidationError(_("该预约已不在有效状态，无需取消。"), code="not_active")
    if local_moment(booking.date, booking.starts_at) <= floor_now():
        raise ValidationError(_("预约时段已开始，不能取消。"), code="started")
    booking.state = BookingState.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["state", "cancelled_at"])
    _release(booking)
    return booking


@transaction.atomic
def hall_day_close(*, hall: Hall, day: dt.date, reason: str, actor: User) -> tuple[ClosedDay, int]:
    """Close `hall` on `day`: its active bookings are cancelled and each person booked is told.
    Returns the closure and how many were told."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写闭厅原因，它会告知已预约的群众。")})
    if day < floor_today():
        raise ValidationError({"date": _("不能关闭已经过去的日期。")})
    if ClosedDay.objects.filter(hall=hall, date=day).exists():
        raise ValidationError({"date": _("该日期已登记闭厅。")})
    closure = ClosedDay.objects.create(hall=hall, date=day, reason=reason[:200], closed_by=actor)
    bookings = list(
        Booking.objects.select_for_update(of=("self",))
        .filter(hall=hall, date=day, state=BookingState.ACTIVE)
        .select_related("citizen")
    )
    for booking in bookings:
        booking.state = BookingState.HALL_CLOSED
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["state", "cancelled_at"])
        _release(booking)
        notice_queue(
            recipient=booking.citizen,
            kind="booking_hall_closed",
            subject=_("预约取消：%(hall)s %(day)s 闭厅") % {"hall": hall.name, "day": f"{day:%Y-%m-%d}"},
            body=_("因%(reason)s，%(hall)s %(day)s 闭厅，您预约办理“%(item)s”（预约码 %(code)s）已取消，请重新预约。")
            % {
                "reason": reason,
                "hall": hall.name,
                "day": f"{day:%Y-%m-%d}",
                "item": booking.item_name,
                "code": booking.code,
            },
            link=reverse("floor:bookings"),
        )
    return closure, len(bookings)


def bookings_remind(*, today: dt.date | None = None) -> int:
    """Remind everyone booked for tomorrow who has not been reminded (idempotent: each booking is
    claimed by setting `reminded_at` in the same transaction as its notice). Nobody is texted at
    night: before TONGBAN_BOOKING_REMIND_FROM (local time) a run does nothing. Returns how many."""
    if today is None:
        now = timezone.localtime(floor_now())
        if now.time() < dt.time.fromisoformat(settings.TONGBAN_BOOKING_REMIND_FROM):
            return 0
        today = now.date()
    tomorrow = today + dt.timedelta(days=1)
    ids = list(
        Booking.objects.filter(date=tomorrow, state=BookingState.ACTIVE, reminded_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    sent = 0
    for booking_id in ids:
        with transaction.atomic():
            booking = (
                Booking.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("hall", "citizen")
                .filter(pk=booking_id, state=BookingState.ACTIVE, reminded_at__isnull=True)
                .first()
            )
            if booking is None:
                continue
            booking.reminded_at = timezone.now()
            booking.save(update_fields=["reminded_at"])
            notice_queue(
                recipient=booking.citizen,
                kind="booking_reminder",
                subject=_("预约提醒：明天 %(time)s %(hall)s")
                % {"time": f"{booking.starts_at:%H:%M}", "hall": booking.hall.name},
                body=_(
                    "您预约了明天（%(day)s）%(time)s在%(hall)s办理“%(item)s”，预约码 %(code)s。请带齐材料按时到达；不能前往请提前取消。"
                )
                % {
                    "day": f"{booking.date:%Y-%m-%d}",
                    "time": f"{booking.starts_at:%H:%M}",
                    "hall": booking.hall.name,
                    "item": booking.item_name,
                    "code": booking.code,
                },
                link=reverse("floor:bookings"),
            )
            sent += 1
    return sent


def bookings_mark_no_show(*, hall: Hall, day: dt.date) -> int:
    """Bookings of `hall` on `day` still active at closing (nobody took a ticket): no-shows."""
    return Booking.objects.filter(hall=hall, date=day, state=BookingState.ACTIVE).update(state=BookingState.NO_SHOW)
