"""Opening hours and closed days of a hall, kept by the hall's system admin (系统管理员)."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ...constants import StaffRole, WindowCategory
from ...models import ClosedDay, Hall, OpeningHours, Window
from ...selectors import halls_for_role
from ...validators import validate_date_between
from ..booking import hall_day_close
from ..clock import floor_today
from ..seats import window_categories_set


class OpeningHoursForm(forms.ModelForm):
    class Meta:
        model = OpeningHours
        fields = ["category", "day_type", "starts_at", "ends_at", "slot_minutes", "capacity", "booking_only"]
        widgets = {
            "starts_at": forms.TimeInput(attrs={"type": "time"}),
            "ends_at": forms.TimeInput(attrs={"type": "time"}),
        }


class CloseDayForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("闭厅日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=gettext_lazy("闭厅原因"), max_length=200, help_text=gettext_lazy("将告知该日已预约的群众")
    )

    def clean_date(self):
        # A closing day is announced ahead, within a year: 9999-12-31 or a past day is a typing mistake.
        value = self.cleaned_data["date"]
        today = floor_today()
        validate_date_between(
            value, label=gettext_lazy("闭厅日期"), earliest=today, latest=today + datetime.timedelta(days=366)
        )
        return value


def _admin_hall(request, hall_code: str) -> Hall:
    hall = get_object_or_404(Hall, code=hall_code.upper())
    if not halls_for_role(request.user, StaffRole.SYSTEM_ADMIN).filter(pk=hall.pk).exists():
        raise Http404
    return hall


@login_required
@require_http_methods(["GET", "POST"])
def hours(request, hall_code: str):
    hall = _admin_hall(request, hall_code)
    form = OpeningHoursForm(request.POST or None, instance=OpeningHours(hall=hall), prefix="hours")
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存开放时间。"))
        return redirect("floor:hours", hall_code=hall.code)
    context = {
        "hall": hall,
        "form": form,
        "close_form": CloseDayForm(prefix="close"),
        "rows": OpeningHours.objects.filter(hall=hall).order_by("category", "day_type", "starts_at"),
        "closed_days": ClosedDay.objects.filter(hall=hall, date__gte=floor_today()).order_by("date")[:30],
        "windows": Window.objects.filter(hall=hall).select_related("seat").order_by("number"),
        "categories": WindowCategory.choices,
    }
    return render(request, "hall/floor/hours.html", context)


@login_required
@require_POST
def hours_delete(request, hall_code: str, pk: int):
    hall = _admin_hall(request, hall_code)
    get_object_or_404(OpeningHours, pk=pk, hall=hall).delete()
    messages.success(request, _("已删除该段开放时间；已预约的时段不受影响。"))
    return redirect("floor:hours", hall_code=hall.code)


@login_required
@require_POST
def day_close(request, hall_code: str):
    hall = _admin_hall(request, hall_code)
    form = CloseDayForm(request.POST, prefix="close")
    if form.is_valid():
        try:
            _closure, told = hall_day_close(
                hall=hall, day=form.cleaned_data["date"], reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已登记闭厅，已通知 %(n)d 位预约群众。") % {"n": told})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("floor:hours", hall_code=hall.code)


@login_required
@require_POST
def window_categories(request, hall_code: str, pk: int):
    hall = _admin_hall(request, hall_code)
    window = get_object_or_404(Window, pk=pk, hall=hall)
    try:
        window_categories_set(window=window, categories=request.POST.getlist("categories"))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已更新 %(n)s 号窗口的叫号类别。") % {"n": window.number})
    return redirect("floor:hours", hall_code=hall.code)
