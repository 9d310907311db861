from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .validators import normalize_id_number


class MobileOrIdNumberBackend(ModelBackend):
    """Log in with a mobile number, an ID number, or (for staff) the username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        login = username.strip()
        user_model = get_user_model()
        user = (
            user_model.objects.filter(
                Q(username=login) | Q(mobile=login) | Q(id_number=normalize_id_number(login)) & ~Q(id_number="")
            )
            .order_by("pk")
            .first()
        )
        if user is None:
            user_model().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
