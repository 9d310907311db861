from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "hall"
    verbose_name = "组织与账号"
