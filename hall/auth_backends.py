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
