"""One middleware for the session limits, the second factor and refused accesses.

Order: after AuthenticationMiddleware and django-otp's OTPMiddleware (which installs user.is_verified())."""

from urllib.parse import urlencode

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django_otp.middleware import OTPMiddleware

from ..constants import SecurityEventKind
from .events import security_event
from .otp import device_by_persistent_id, otp_required, totp_device
from .sessions import TEST_VERIFIED, session_problem

# Pages an account may reach between its password and its second factor.
OPEN_PREFIXES = ("/static/", "/i18n/", "/healthz/", "/security/otp/", "/logout/", "/login/", "/verify/")
# Apps whose 404/403 on an existing login mean "someone else's case": recorded as refused accesses.
GUARDED_NAMESPACES = {"cases", "delivery", "evaluation", "hall_security"}

SESSION_MESSAGES = {
    "idle": gettext_lazy("您已超过%(minutes)s分钟未操作，为保护群众信息已自动退出，请重新登录。"),
    "lifetime": gettext_lazy("本次登录已超过%(hours)s小时，请重新登录。"),
    "ended": gettext_lazy("该账号的全部会话已被结束，请重新登录。"),
}


def second_factor_done(request) -> bool:
    user = request.user
    if getattr(settings, "TONGBAN_OTP_TEST_SESSIONS", False) and request.session.get(TEST_VERIFIED):
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def needs_second_factor(request) -> bool:
    """Cached in the session at login (no query per request); citizens who enrol set it themselves."""
    flag = request.session.get("sec_otp")
    if flag is None:
        flag = otp_required(request.user)
        request.session["sec_otp"] = flag
    return flag


class CachedOTPMiddleware(OTPMiddleware):
    """django-otp's middleware (request.user.otp_device, user.is_verified()), with the session's device
    read from the shared cache instead of a query per request (hall.security.otp)."""

    def _device_from_persistent_id(self, persistent_id: str):
        return device_by_persistent_id(self._normalize_persistent_id(persistent_id))


# What a view may set on its response to change its policy (django-csp's decorators).
CSP_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's middleware, with the policy built once per setting instead of on every response:
    the same headers for every response that neither used a nonce nor carries a view's own policy
    (those go through django-csp unchanged)."""

    _built: tuple = (None, None, ())

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in CSP_PER_RESPONSE
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        for header, policy, excluded in self._policies():
            if policy and header not in response and not request.path_info.startswith(excluded):
                response[header] = policy
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @classmethod
    def _policies(cls) -> tuple:
        config = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        config_ro = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        built_config, built_config_ro, policies = cls._built
        if built_config is not config or built_config_ro is not config_ro:
            policies = tuple(
                (header, build_policy(report_only=ro), tuple((setting or {}).get("EXCLUDE_URL_PREFIXES") or ()))
                for header, ro, setting in ((HEADER, False, config), (HEADER_REPORT_ONLY, True, config_ro))
            )
            cls._built = (config, config_ro, policies)
        return policies


class SecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            problem = session_problem(request)
            if problem:
                return self._end_session(request, problem)
            if (
                needs_second_factor(request)
                and not second_factor_done(request)
                and not request.path.startswith(OPEN_PREFIXES)
            ):
                target = "hall_security:otp_verify" if totp_device(user) else "hall_security:otp_enrol"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def _end_session(self, request, problem: str):
        user = request.user
        security_event(kind=SecurityEventKind.SESSION_EXPIRED, request=request, user=user, detail={"why": problem})
        logout(request)
        text = str(SESSION_MESSAGES[problem]) % {
            "minutes": settings.TONGBAN_STAFF_IDLE_MINUTES,
            "hours": settings.TONGBAN_STAFF_SESSION_MAX_HOURS,
        }
        messages.warning(request, text)
        return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")

    def process_exception(self, request, exception):
        if not isinstance(exception, (Http404, PermissionDenied)):
            return None
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if user is None or not user.is_authenticated or match is None or match.namespace not in GUARDED_NAMESPACES:
            return None
        security_event(
            kind=SecurityEventKind.ACCESS_REFUSED,
            request=request,
            user=user,
            detail={"view": match.view_name, "kwargs": {k: str(v) for k, v in match.kwargs.items()}},
        )
        return None
