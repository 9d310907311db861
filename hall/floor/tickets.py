"""Queue tickets (取号) and calling (叫号) at the windows.

A ticket is numbered per hall, day and category from a locked counter row; a clerk calls from the
window they are signed in at, and every call locks the ticket row it takes (SKIP LOCKED: two
windows calling at once get two different tickets). Each service is one transaction; bad input
raises ValidationError with a plain Chinese message and changes nothing. The calling screen's
cached fragment is dropped after each call commits."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors as hall_selectors
from ..constants import StaffRole, WindowCategory
from ..models import Booking, Hall, OpeningHours, Ticket, TicketSequence, User, Window, WindowSeat
from ..validators import normalise_identifier, validate_id_number
from .clock import floor_now, local_moment
from .constants import (
    CATEGORY_LETTER,
    LANE_PREFIX,
    LANE_RANK,
    PRIORITY_AGE,
    BookingState,
    PriorityReason,
    TicketLane,
    TicketState,
)
from .hours import open_now

# A booked ticket may be taken from this long before its slot until the slot ends.
EARLY_ARRIVAL = dt.timedelta(minutes=60)
FLOOR_STAFF_ROLES = (StaffRole.WINDOW_CLERK, StaffRole.RESULT_CLERK)


def board_cache_key(hall_id: int, language: str) -> str:
    return f"floor:board:{hall_id}:{language}"


def board_forget(hall_id: int) -> None:
    """Drop the calling screen's cached fragment of a hall, in every language."""
    cache.delete_many([board_cache_key(hall_id, code) for code, _name in settings.LANGUAGES])


def _board_changed(hall_id: int) -> None:
    transaction.on_commit(lambda: board_forget(hall_id))


def age_on(id_number: str, day: dt.date) -> int | None:
    """Age in whole years on `day` from an 18-digit ID number's birth date (GB 11643), or None."""
    try:
        born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except (ValueError, IndexError):
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _check_category_served(hall: Hall, category: str) -> None:
    if category not in WindowCategory.values or not OpeningHours.objects.filter(hall=hall, category=category).exists():
        raise ValidationError(_("本大厅不设该类别窗口，请选择其他类别或咨询导办人员。"), code="category")


def _next_sequence(hall: Hall, day: dt.date, category: str) -> int:
    try:
        with transaction.atomic():
            TicketSequence.objects.get_or_create(hall=hall, date=day, category=category)
    except IntegrityError:
        pass  # made by a concurrent kiosk a moment ago
    counter = TicketSequence.objects.select_for_update().get(hall=hall, date=day, category=category)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _make_ticket(
    *,
    hall: Hall,
    category: str,
    lane: str,
    person: User | None,
    booking: Booking | None = None,
    priority_reason: str = "",
    transferred_from: Ticket | None = None,
    rank: int | None = None,
) -> Ticket:
    now = floor_now()
    day = timezone.localdate(now)
    if (
        person is not None
        and Ticket.objects.filter(person=person, date=day, category=category, state=TicketState.WAITING).exists()
    ):
        raise ValidationError(_("您在该类别已有一张等候中的号，请勿重复取号。"), code="duplicate")
    sequence = _next_sequence(hall, day, category)
    ticket = Ticket(
        hall=hall,
        date=day,
        category=category,
        lane=lane,
        rank=LANE_RANK[lane] if rank is None else rank,
        sequence=sequence,
        number=f"{LANE_PREFIX[lane]}{CATEGORY_LETTER[category]}{sequence % 1000:03d}",
        person=person,
        booking=booking,
        priority_reason=priority_reason,
        transferred_from=transferred_from,
        issued_at=now,
    )
    try:
        with transaction.atomic():
            ticket.save()
    except IntegrityError as error:
        raise ValidationError(_("您在该类别已有一张等候中的号，请勿重复取号。"), code="duplicate") from error
    _board_changed(hall.pk)
    return ticket


@transaction.atomic
def ticket_issue(
    *,
    hall: Hall,
    category: str,
    id_number: str = "",
    priority_reason: str = "",
    issued_by: User | None = None,
) -> Ticket:
    """A walk-in ticket at the kiosk (or from a floor guide).

    1. The hall must serve the category and be open for walk-ins now (evening and weekend periods are
       by appointment only).
    2. An ID number, when given, finds the person (one waiting ticket per person per category) and
       gives a priority (V) ticket from age 70; staff of the hall may give V for another reason
       (disabled, pregnant)."""
    _check_category_served(hall, category)
    now = floor_now()
    period = open_now(hall, category, now)
    if period is None:
        raise ValidationError(_("该类别窗口当前不在办公时间，请在开放时间内取号。"), code="closed")
    if period.booking_only:
        raise ValidationError(_("当前为预约服务时段，只接待已预约的群众，请输入预约码取号。"), code="booking_only")
    id_number = normalise_identifier(id_number) if id_number else ""
    if id_number:
        validate_id_number(id_number)  # a mistyped number is said so, not silently ignored
    person = hall_selectors.user_by_id_number(id_number) if id_number else None
    if person is not None and not person.is_citizen:
        person = None
    lane = TicketLane.WALK_IN
    if priority_reason:
        if priority_reason not in PriorityReason.values:
            raise ValidationError(_("优先原因无效。"), code="priority")
        if (
            issued_by is None
            or not hall_selectors.halls_for_role(issued_by, StaffRole.WINDOW_CLERK).filter(pk=hall.pk).exists()
        ):
            raise PermissionDenied(_("优先号须由本大厅工作人员确认后发放。"))
        lane = TicketLane.PRIORITY
    elif id_number:
        age = age_on(id_number, timezone.localdate(now))
        if age is not None and age >= PRIORITY_AGE:
            lane, priority_reason = TicketLane.PRIORITY, PriorityReason.ELDERLY
    return _make_ticket(hall=hall, category=category, lane=lane, person=person, priority_reason=priority_reason)


@transaction.atomic
def ticket_issue_for_booking(*, hall: Hall, code: str) -> Ticket:
    """A booked (Y) ticket for a booking code typed at the kiosk: the booking must be this hall's,
    for today, taken from an hour before its slot until the slot ends. The booking is kept."""
    code = normalise_identifier(code)
    booking = (
        Booking.objects.select_for_update(of=("self",)).select_related("slot", "citizen").filter(code=code).first()
        if code.isdigit()
        else None
    )
    if booking is None or booking.hall_id != hall.pk:
        raise ValidationError(_("没有找到该预约码，请核对后重新输入，或取普通号。"), code="unknown_code")
    if booking.state == BookingState.KEPT:
        raise ValidationError(_("该预约已经取过号。"), code="kept")
    if booking.state != BookingState.ACTIVE:
        raise ValidationError(_("该预约已取消或已失效，请取普通号。"), code="not_active")
    now = floor_now()
    if booking.date != timezone.localdate(now):
        raise ValidationError(
            _("该预约是 %(day)s 的，请在预约当天取号。") % {"day": f"{booking.date:%Y-%m-%d}"}, code="other_day"
        )
    starts = local_moment(booking.date, booking.starts_at)
    ends = local_moment(booking.date, booking.slot.ends_at)
    if now < starts - EARLY_ARRIVAL:
        raise ValidationError(
            _("预约时段 %(time)s 开始，请在开始前一小时内取号。") % {"time": f"{booking.starts_at:%H:%M}"}, code="early"
        )
    if now >= ends:
        raise ValidationError(_("预约时段已过，请取普通号。"), code="late")
    booking.state = BookingState.KEPT
    booking.save(update_fields=["state"])
    return _make_ticket(
        hall=hall, category=booking.category, lane=TicketLane.BOOKED, person=booking.citizen, booking=booking
    )


# ---- windows ------------------------------------------------------------------------------------


def _check_floor_staff(clerk: User, hall_id: int) -> None:
    roles = {a.role for a in hall_selectors.assignments_for_user(clerk) if a.hall_id == hall_id}
    if not roles.intersection(FLOOR_STAFF_ROLES):
        raise PermissionDenied(_("您不是该大厅的窗口工作人员。"))


def seat_for(window: Window) -> WindowSeat:
    seat, _created = WindowSeat.objects.get_or_create(window=window)
    return seat


@transaction.atomic
def window_sign_in(*, clerk: User, window: Window) -> WindowSeat:
    """The clerk sits down at `window` (and leaves any other window they were signed in at)."""
    _check_floor_staff(clerk, window.hall_id)
    seat = seat_for(window)
    seat = WindowSeat.objects.select_for_update().get(pk=seat.pk)
    if seat.clerk_id and seat.clerk_id != clerk.pk:
        raise ValidationError(_("该窗口已有工作人员登录，请先由其退出。"), code="taken")
    WindowSeat.objects.filter(clerk=clerk).exclude(pk=seat.pk).update(clerk=None, signed_in_at=None)
    seat.clerk = clerk
    seat.signed_in_at = timezone.now()
    seat.save(update_fields=["clerk", "signed_in_at"])
    return seat


@transaction.atomic
def window_sign_out(*, clerk: User, window: Window) -> None:
    WindowSeat.objects.filter(window=window, clerk=clerk).update(clerk=None, signed_in_at=None)


def _signed_in_seat(clerk: User, window: Window) -> WindowSeat:
    seat = WindowSeat.objects.select_for_update(of=("self",)).filter(window=window).select_related("window").first()
    if seat is None or seat.clerk_id != clerk.pk:
        raise ValidationError(_("您尚未登录该窗口，请先登录窗口再叫号。"), code="not_signed_in")
    return seat


def _ticket_at_window(clerk: User, window: Window, ticket: Ticket) -> Ticket:
    _signed_in_seat(clerk, window)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.window_id != window.pk or ticket.state != TicketState.CALLED:
        raise ValidationError(_("该号不是本窗口正在办理的号，可能已被处理。"), code="not_current")
    return ticket


@transaction.atomic
def ticket_call_next(*, clerk: User, window: Window) -> Ticket | None:
    """Call the next ticket to `window`: priority first, then booked tickets whose slot has begun,
    then everyone in the order they came. None when nobody is waiting."""
    seat = _signed_in_seat(clerk, window)
    if Ticket.objects.filter(window=window, state=TicketState.CALLED).exists():
        raise ValidationError(_("请先处理当前号（办理、过号或转窗口），再叫下一位。"), code="busy")
    now = floor_now()
    local = timezone.localtime(now)
    # A booked ticket taken before its slot waits like a walk-in until the slot begins.
    effective_rank = Case(
        When(lane=TicketLane.BOOKED, booking__starts_at__gt=local.time(), then=Value(LANE_RANK[TicketLane.WALK_IN])),
        default=F("rank"),
        output_field=IntegerField(),
    )
    candidates = (
        Ticket.objects.filter(
            hall_id=window.hall_id,
            date=local.date(),
            category__in=seat.served_categories,
            state=TicketState.WAITING,
        )
        .annotate(effective_rank=effective_rank)
        .order_by("effective_rank", "id")
        .values_list("pk", flat=True)[:20]
    )
    for ticket_id in candidates:
        ticket = (
            Ticket.objects.select_for_update(skip_locked=True).filter(pk=ticket_id, state=TicketState.WAITING).first()
        )
        if ticket is None:
            continue  # another window took it a moment ago
        ticket.state = TicketState.CALLED
        ticket.called_at = ticket.last_called_at = now
        ticket.call_count = 1
        ticket.window = window
        ticket.clerk = clerk
        ticket.wait_seconds = max(int((now - ticket.issued_at).total_seconds()), 0)
        ticket.save(
            update_fields=["state", "called_at", "last_called_at", "call_count", "window", "clerk", "wait_seconds"]
        )
        _board_changed(window.hall_id)
        return ticket
    return None


@transaction.atomic
def ticket_recall(*, clerk: User, window: Window, ticket: Ticket) -> Ticket:
    """Call the current ticket again (the screen and the voice announce it once more)."""
    ticket = _ticket_at_window(clerk, window, ticket)
    ticket.last_called_at = floor_now()
    ticket.call_count += 1
    ticket.save(update_fields=["last_called_at", "call_count"])
    _board_changed(window.hall_id)
    return ticket


@transaction.atomic
def ticket_miss(*, clerk: User, window: Window, ticket: Ticket) -> Ticket:
    """Nobody came to the window: the ticket is missed (过号)."""
    ticket = _ticket_at_window(clerk, window, ticket)
    ticket.state = TicketState.MISSED
    ticket.closed_at = floor_now()
    ticket.save(update_fields=["state", "closed_at"])
    _board_changed(window.hall_id)
    return ticket


@transaction.atomic
def ticket_serve(*, clerk: User, window: Window, ticket: Ticket) -> Ticket:
    """The person came and is served at the window: the ticket is served, with its service time.
    The ticket is then rateable (the ratings app reads served tickets) and opens counter intake."""
    ticket = _ticket_at_window(clerk, window, ticket)
    now = floor_now()
    ticket.state = TicketState.SERVED
    ticket.served_at = ticket.closed_at = now
    ticket.service_seconds = max(int((now - ticket.called_at).total_seconds()), 0)
    ticket.save(update_fields=["state", "served_at", "closed_at", "service_seconds"])
    _board_changed(window.hall_id)
    return ticket


@transaction.atomic
def ticket_transfer(*, clerk: User, window: Window, ticket: Ticket, category: str) -> Ticket:
    """Send the person to another category (转窗口): this ticket ends as transferred and a new waiting
    ticket of that category, ahead of the walk-ins, carries them on. Returns the new ticket."""
    ticket = _ticket_at_window(clerk, window, ticket)
    if category == ticket.category:
        raise ValidationError(_("请选择另一个窗口类别。"), code="same_category")
    _check_category_served(ticket.hall, category)
    ticket.state = TicketState.TRANSFERRED
    ticket.closed_at = floor_now()
    ticket.save(update_fields=["state", "closed_at"])
    return _make_ticket(
        hall=ticket.hall,
        category=category,
        lane=ticket.lane,
        person=ticket.person,
        priority_reason=ticket.priority_reason,
        transferred_from=ticket,
        rank=min(ticket.rank, LANE_RANK[TicketLane.BOOKED]),
    )


def tickets_close(*, hall: Hall, day: dt.date, keep_categories: set[str] | frozenset = frozenset()) -> int:
    """Tickets of `hall` on `day` still waiting at closing become missed (DOMAIN.md §7), except in
    `keep_categories` (categories whose windows are still open, e.g. for the evening by appointment)."""
    waiting = Ticket.objects.filter(hall=hall, date=day, state=TicketState.WAITING)
    if keep_categories:
        waiting = waiting.exclude(category__in=keep_categories)
    count = waiting.update(state=TicketState.MISSED, closed_at=timezone.now())
    if count:
        board_forget(hall.pk)
    return count


def waiting_before(ticket: Ticket) -> int:
    """How many people are called before `ticket` in its queue (one indexed count)."""
    return (
        Ticket.objects.filter(
            hall_id=ticket.hall_id, date=ticket.date, category=ticket.category, state=TicketState.WAITING
        )
        .filter(Q(rank__lt=ticket.rank) | Q(rank=ticket.rank, id__lt=ticket.pk))
        .count()
    )
