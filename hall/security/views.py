"""Second factor (enrolment, check, recovery codes), the account's security page (sessions, password),
and the system admin's and supervisors' security pages."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..constants import AccessKind, SecurityEventKind, StaffRole
from ..emptyforms import fields_once
from ..models import AccessRecord, SecurityEvent, User
from ..paging import keyset_page
from ..pdf import qr_data_uri
from .events import security_event
from .forms import AccessFilterForm, CodeForm, EnrolForm, EventFilterForm, OtpResetForm
from .otp import (
    base32_secret,
    enrolment_device,
    otp_check,
    otp_enrol_confirm,
    otp_required,
    otp_reset,
    recovery_codes_new,
    sessions_end_all,
    totp_device,
)
from .sessions import EPOCH, is_staff_account

RECOVERY_SESSION_KEY = "sec_recovery_codes"


def _next(request, default: str = "workbench") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(default)


def _has_role(user, *roles) -> bool:
    return user.is_superuser or user.assignments.filter(role__in=roles).exists()


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    if totp_device(request.user) is None:
        return redirect(f"{reverse('hall_security:otp_enrol')}?next={_next(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp_check(user=request.user, code=form.cleaned_data["code"], request=request)
        if device is not None:
            otp_login(request, device)
            request.session["sec_otp"] = True
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _("已使用一个恢复码，还剩%(left)s个。请尽快重新绑定手机或生成新的恢复码。") % {"left": left},
                )
            return redirect(_next(request))
        form.add_error("code", _("动态口令不正确、已使用过或已过期，请输入应用中当前显示的6位数字。"))
    return render(request, "security/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request):
    user = request.user
    if totp_device(user) is not None and not request.user.is_verified():
        # Already enrolled: re-enrolling needs the second factor first (or a system admin's reset).
        return redirect(f"{reverse('hall_security:otp_verify')}?next={_next(request)}")
    device = enrolment_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = otp_enrol_confirm(user=user, code=form.cleaned_data["code"], request=request)
        except ValidationError as error:
            form.add_error("code", error)
        else:
            otp_login(request, totp_device(user))
            request.session["sec_otp"] = True
            request.session[RECOVERY_SESSION_KEY] = codes
            messages.success(request, _("动态口令已绑定。以后登录时，请在密码之后输入手机应用中的6位数字。"))
            return redirect(f"{reverse('hall_security:recovery_codes')}?next={_next(request)}")
    return render(
        request,
        "security/otp_enrol.html",
        {
            "form": form,
            "next": _next(request),
            "qr": qr_data_uri(device.config_url),
            "secret": base32_secret(device),
            "required": otp_required(user),
        },
    )


@login_required
def recovery_codes(request):
    """Shown once, right after they were made (POST → redirect → GET): they are not stored readable."""
    codes = request.session.pop(RECOVERY_SESSION_KEY, None)
    if not codes:
        return redirect("hall_security:account")
    return render(request, "security/recovery_codes.html", {"codes": codes, "next": _next(request)})


@login_required
def account(request):
    user = request.user
    recovery = StaticDevice.objects.filter(user=user).first()
    return render(
        request,
        "security/account.html",
        {
            "device": totp_device(user),
            "recovery_left": recovery.token_set.count() if recovery else 0,
            "is_staff_account": is_staff_account(user),
        },
    )


@login_required
@require_POST
def recovery_codes_renew(request):
    request.session[RECOVERY_SESSION_KEY] = recovery_codes_new(request.user)
    return redirect("hall_security:recovery_codes")


@login_required
@require_POST
def otp_disable(request):
    """A citizen who opted in may opt out; staff may not (their second factor is required)."""
    if is_staff_account(request.user):
        raise PermissionDenied
    TOTPDevice.objects.filter(user=request.user).delete()
    StaticDevice.objects.filter(user=request.user).delete()
    request.session["sec_otp"] = False
    messages.success(request, _("已关闭动态口令登录。"))
    return redirect("hall_security:account")


@login_required
@require_POST
def sessions_end(request):
    """End every session of this account, this one included: log in again everywhere."""
    sessions_end_all(request.user)
    security_event(kind=SecurityEventKind.SESSIONS_ENDED, request=request, user=request.user)
    messages.success(request, _("已结束该账号在所有设备上的登录。"))
    return redirect("login")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django keeps this session (update_session_auth_hash) and the others end: their session hash no
    longer matches, and the account's epoch moves on."""

    template_name = "security/password_change.html"
    success_url = reverse_lazy("hall_security:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        moment = sessions_end_all(self.request.user)
        self.request.session[EPOCH] = moment.timestamp() + 0.001  # this session stays
        update_session_auth_hash(self.request, form.user)
        security_event(kind=SecurityEventKind.PASSWORD_CHANGED, request=self.request, user=self.request.user)
        messages.success(self.request, _("密码已修改，其他设备上的登录已结束。"))
        return response


# ---- system admin and supervisors -----------------------------------------------------------------


def _day_range(day: dt.date):
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


@login_required
def events(request):
    """安全事件: the system admin's list, newest first, filtered by kind, account and day."""
    if not _has_role(request.user, StaffRole.SYSTEM_ADMIN):
        raise PermissionDenied
    form = EventFilterForm(request.GET or None)
    rows = SecurityEvent.objects.select_related("user", "actor")
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("kind"):
        rows = rows.filter(kind=data["kind"])
    if data.get("username"):
        found = User.objects.filter(username=data["username"].strip()).first()
        rows = rows.filter(user=found) if found else rows.none()
    if request.GET.get("user", "").isdigit():
        rows = rows.filter(user_id=int(request.GET["user"]))
    if data.get("day"):
        start, end = _day_range(data["day"])
        rows = rows.filter(created_at__gte=start, created_at__lt=end)
    page = keyset_page(rows, order=("-created_at", "-pk"), after=request.GET.get("after"))
    return render(request, "security/events.html", {"form": form, "page": page, "reset_form": OtpResetForm()})


@login_required
@require_POST
def otp_reset_view(request):
    if not _has_role(request.user, StaffRole.SYSTEM_ADMIN):
        raise PermissionDenied
    form = OtpResetForm(request.POST)
    if form.is_valid():
        target = User.objects.filter(username=form.cleaned_data["username"].strip()).first()
        if target is None:
            messages.error(request, _("没有这个登录名的账号。"))
        else:
            try:
                otp_reset(admin=request.user, user=target, reason=form.cleaned_data["reason"], request=request)
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                messages.success(request, _("已重置%(name)s的双因素认证，其下次登录时需重新绑定。") % {"name": target})
    else:
        messages.error(request, _("请填写登录名和重置原因。"))
    return redirect("hall_security:events")


@login_required
def access_records(request):
    """个人信息访问记录: supervisors (and system admins) search who looked at what."""
    if not _has_role(request.user, StaffRole.SUPERVISOR, StaffRole.SYSTEM_ADMIN):
        raise PermissionDenied
    form = AccessFilterForm(request.GET or None)
    rows = AccessRecord.objects.select_related("hall")
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("case_number"):
        rows = rows.filter(case_number=data["case_number"].strip().upper())
    if data.get("username"):
        found = User.objects.filter(username=data["username"].strip()).first()
        rows = rows.filter(actor=found) if found else rows.none()
    if data.get("kind"):
        rows = rows.filter(kind=data["kind"])
    if data.get("day"):
        start, end = _day_range(data["day"])
        rows = rows.filter(created_at__gte=start, created_at__lt=end)
    rows = rows.values_list(*ACCESS_FIELDS, named=True)
    page = keyset_page(rows, order=("-created_at", "-pk"), after=request.GET.get("after"))
    kinds, roles = dict(AccessKind.choices), dict(StaffRole.choices)
    page.object_list = [
        format_html(
            ACCESS_LINE,
            timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            row.actor_name,
            roles.get(row.role, row.role),
            row.hall__name or "",
            kinds.get(row.kind, row.kind),
            row.case_number,
            row.target,
            row.ip or "",
        )
        for row in page.object_list
    ]
    return render(request, "security/access_records.html", {"filters": _access_filters(request, form), "page": page})


# A page of records as plain values, each line rendered once (a template node per cell of 50 lines was
# most of the page's time).
ACCESS_FIELDS = ("pk", "created_at", "actor_name", "role", "hall__name", "kind", "case_number", "target", "ip")
ACCESS_LINE = "<tr>" + "<td>{}</td>" * 8 + "</tr>"


def _access_filters(request, form) -> str:
    """The filter form: the unfilled one (the page as it opens) is the same for everyone, rendered once."""
    return fields_once("security/_access_filters.html", form, request)
