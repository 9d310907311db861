from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ..forms import EnterpriseRegistrationForm, LoginForm, PersonRegistrationForm
from ..pagecache import anonymous_page
from ..services import citizen_register_enterprise, citizen_register_person

BACKEND = "hall.auth_backends.MobileOrIdNumberBackend"


@method_decorator(anonymous_page("login"), name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "hall/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def lockout(request, credentials, *args, **kwargs):
    """django-axes calls this when an account is locked: show the login form with the reason."""
    form = LoginForm(request, initial={"username": request.POST.get("username", "")})
    message = _("登录失败次数过多，该账号已被暂时锁定，请30分钟后再试，或到大厅窗口核实身份后解锁。")
    return render(request, "hall/login.html", {"form": form, "lockout_message": message}, status=403)


@require_http_methods(["GET", "POST"])
@anonymous_page("register")
def register(request, kind: str = "person"):
    form_class = EnterpriseRegistrationForm if kind == "enterprise" else PersonRegistrationForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        password = data.pop("password1")
        data.pop("password2")
        try:
            if kind == "enterprise":
                user = citizen_register_enterprise(password=password, **data).agent
            else:
                user = citizen_register_person(password=password, **data)
        except (ValidationError, IntegrityError):
            # Two registrations of the same ID number or mobile at once: the second meets the unique
            # constraint after the form's own check passed.
            form.add_error(None, _("该身份证号或手机号刚刚已被注册，请直接登录；如非本人操作请到大厅窗口办理。"))
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, _("注册成功，欢迎使用通办。"))
            return redirect("workbench")
    return render(request, "hall/register.html", {"form": form, "kind": kind})
