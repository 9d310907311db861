"""What the ratings services share: one transaction each, the responsible people, links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from hall.constants import StaffRole
from hall.models import StaffAssignment, User


def evaluation_service(func: Callable) -> Callable:
    @wraps(func)
    def wrapper(*args, **kwargs):
        with transaction.atomic():
            return func(*args, **kwargs)

    return wrapper


def rating_window_days(hall) -> int:
    """The hall's rating window in calendar days (TONGBAN_RATING_WINDOW_DAYS, per hall code in
    TONGBAN_RATING_WINDOW_DAYS_BY_HALL)."""
    by_hall = getattr(settings, "TONGBAN_RATING_WINDOW_DAYS_BY_HALL", {}) or {}
    return int(by_hall.get(getattr(hall, "code", ""), getattr(settings, "TONGBAN_RATING_WINDOW_DAYS", 15)))


def rectification_days() -> int:
    return int(getattr(settings, "TONGBAN_RECTIFICATION_DAYS", 5))


def callback_days() -> int:
    return int(getattr(settings, "TONGBAN_RATING_CALLBACK_DAYS", 1))


def month_of(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment).replace(day=1)


def staff_for(*, hall_id: int | None, department_id: int | None, supervisors: bool = False) -> list[User]:
    """The department's approvers (they answer for its bad ratings), and with `supervisors` the
    supervisors of the hall."""
    query = Q(pk__in=[])
    if department_id:
        query |= Q(role=StaffRole.APPROVER, department_id=department_id)
    if supervisors and hall_id:
        query |= Q(role=StaffRole.SUPERVISOR, hall_id=hall_id)
    ids = StaffAssignment.objects.filter(query).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def token_link(token, *, qr: bool = False) -> str:
    path = reverse("evaluation:rate_token", args=[token.token])
    return f"{path}?via=qr" if qr else path


def ticket_link(ticket) -> str:
    return reverse("evaluation:ticket", args=[ticket.pk])
