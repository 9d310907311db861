from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .selectors import user_by_id_number, user_by_mobile


def account_for_login(login: str):
    """The account a typed login names: a staff username as typed, else a mobile or an ID number in any
    spelling (full-width digits, spaces, lower-case x) through the one pair of identifier lookups."""
    login = (login or "").strip()
    if not login:
        return None
    user = get_user_model().objects.filter(username=login).order_by("pk").first()
    return user or user_by_mobile(login) or user_by_id_number(login)


class MobileOrIdNumberBackend(ModelBackend):
    """Log in with a mobile number, an ID number, or (for staff) the username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = account_for_login(username)
        if user is None:
            get_user_model()().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


# ---- login lockout (django-axes) --------------------------------------------------------------
# Failures are counted per account, whichever identifier was typed (mobile, ID number in any spelling,
# staff username), and per address: a guesser cannot go on through another spelling of the same account,
# and one address cannot try account after account.


def _typed_login(request, credentials) -> str:
    if credentials and credentials.get("username") is not None:
        return str(credentials["username"])
    return str(getattr(request, "POST", {}).get("username", "") or "")


def lockout_key(request, credentials=None) -> str:
    """AXES_USERNAME_CALLABLE: the account behind the typed login ("account:<pk>"), else the normalised
    text (so that a spelling variant of an unknown login still counts as one)."""
    from .validators import normalise_identifier

    typed = _typed_login(request, credentials)
    user = account_for_login(typed)
    if user is not None:
        return f"account:{user.pk}"
    return normalise_identifier(typed)[:150]


def login_failure_limit(request, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: the per-account limit; 0 (every login refused) while the address has failed
    TONGBAN_LOGIN_ADDRESS_FAILURE_LIMIT times on any accounts within the cool-off time."""
    import datetime

    from axes.helpers import get_client_ip_address
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Sum
    from django.utils import timezone

    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    since = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    failures = (
        AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
            total=Sum("failures_since_start")
        )["total"]
        or 0
    )
    if failures >= settings.TONGBAN_LOGIN_ADDRESS_FAILURE_LIMIT:
        return 0
    return settings.TONGBAN_LOGIN_FAILURE_LIMIT
