from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "hall"
    verbose_name = "组织与账号"

    def ready(self):
        from . import checks  # noqa: F401 - registers the calendar system check
