"""Booking an appointment for an item (预约办理): the citizen picks one of the halls that may receive
the item, a day and a free slot. The hall floor (hall.floor) keeps the slots and bookings; this page
looks the item up, because items sits above hall and hall never reads the catalogue."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hall.constants import WindowCategory
from hall.floor.booking import booking_blocked_until, booking_create
from hall.floor.clock import floor_now, floor_today, local_moment
from hall.floor.constants import BOOKING_HORIZON_DAYS
from hall.floor.hours import slot_plans
from hall.models import Hall, OpeningHours

from ..selectors import published_items

# The window category that receives an item, by the owning department (demo city's departments).
DEPARTMENT_CATEGORY = {
    "市场监管": WindowCategory.COMMERCIAL,
    "自然资源": WindowCategory.REAL_ESTATE,
    "发展改革": WindowCategory.INVESTMENT,
    "人社": WindowCategory.SOCIAL,
    "民政": WindowCategory.SOCIAL,
    "公安": WindowCategory.SOCIAL,
}


def booking_category(item, hall: Hall) -> str | None:
    """The category whose windows receive `item` at `hall`: the cross-area window at another
    county's hall, else the department's category; None when the hall opens no such window."""
    served = set(OpeningHours.objects.filter(hall=hall).values_list("category", flat=True))
    wanted = []
    if hall.region_id != item.region_id:
        wanted.append(WindowCategory.CROSS_AREA)
    department = item.current_version.implementing_department
    wanted.append(DEPARTMENT_CATEGORY.get(department.short_name, WindowCategory.COMMERCIAL))
    return next((category for category in wanted if category in served), None)


def _parse_day(raw: str | None, today: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw or "")
    except ValueError:
        return today + dt.timedelta(days=1)
    if not today <= day <= today + dt.timedelta(days=366):  # a typed far date: show tomorrow instead
        return today + dt.timedelta(days=1)
    return day


@login_required
@require_http_methods(["GET", "POST"])
def book(request, pk: int):
    item = get_object_or_404(published_items(), pk=pk)
    halls = list(item.current_version.receivable_halls.order_by("code"))
    if not halls:
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    hall = next((h for h in halls if h.code == data.get("hall")), None) or next(
        (h for h in halls if h.region_id == item.region_id), halls[0]
    )
    today = floor_today()
    day = _parse_day(data.get("date"), today)
    category = booking_category(item, hall)
    if request.method == "POST":
        try:
            starts_at = dt.time.fromisoformat(request.POST.get("starts_at", ""))
        except ValueError:
            messages.error(request, _("请选择一个预约时段。"))
        else:
            try:
                if category is None:
                    raise ValidationError(_("该大厅没有受理此事项的预约窗口，请选择其他大厅。"))
                booking = booking_create(
                    citizen=request.user,
                    hall=hall,
                    category=category,
                    day=day,
                    starts_at=starts_at,
                    item_id=item.pk,
                    item_name=item.current_version.name,
                )
            except (ValidationError, PermissionDenied) as error:
                for message in getattr(error, "messages", [str(error)]):
                    messages.error(request, message)
            else:
                messages.success(
                    request,
                    _("预约成功！预约码 %(code)s，请于 %(day)s %(time)s 到%(hall)s取号机输入预约码取号。")
                    % {"code": booking.code, "day": f"{day:%Y-%m-%d}", "time": f"{starts_at:%H:%M}", "hall": hall.name},
                )
                return redirect("floor:bookings")
        return redirect(f"{request.path}?hall={hall.code}&date={day.isoformat()}")
    days = [today + dt.timedelta(days=n) for n in range(0, BOOKING_HORIZON_DAYS + 1)]
    now = floor_now()
    context = {
        "item": item,
        "version": item.current_version,
        "halls": halls,
        "hall": hall,
        "day": day,
        "days": days,
        "category": category,
        "category_label": WindowCategory(category).label if category else "",
        "plans": [
            (plan, local_moment(plan.date, plan.starts_at) <= now)
            for plan in (slot_plans(hall, day, category) if category else [])
        ],
        "blocked_until": booking_blocked_until(request.user) if request.user.is_citizen else None,
    }
    return render(request, "items/book.html", context)
