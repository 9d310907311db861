from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class HallConfig(AppConfig):
    name = "hall"
    verbose_name = "组织与账号"

    def ready(self):
        from . import (
            checks,  # noqa: F401 - registers the calendar system check
            crypto,
            usercache,  # noqa: F401 - drops cached assignments when they change
        )
        from .security import signals  # noqa: F401 - security events from login, lockout and admin signals

        # Without the personal data keys the portal must not start: it could neither store ID numbers
        # encrypted nor read them back (GB/T 22239-2019 8.1.4.8, data confidentiality).
        try:
            crypto.keyring()
        except crypto.KeyConfigurationError as exc:
            raise ImproperlyConfigured(str(exc)) from None
