"""System checks: warn admins while a year that running clocks may reach has no official calendar, and
while the SMS backend cannot de-duplicate a resent message."""

from django.core.checks import Warning, register
from django.db import DatabaseError
from django.utils import timezone


@register()
def calendar_entered_check(app_configs=None, **kwargs):
    from .workdays import years_without_official_calendar

    try:
        years = years_without_official_calendar(timezone.localdate())
    except DatabaseError:  # before migrate, or no database reachable: nothing to say yet
        return []
    return [
        Warning(
            f"{year}年工作日历尚未按国务院放假安排正式录入，期限按周末和法定节日规则推算（暂定）。",
            hint=(
                "公布后在 Django 管理后台“工作日历”中修改调休和节日，并对该年执行“确认为正式安排”；"
                "或升级 chinesecalendar 后运行 manage.py seed_calendar。"
            ),
            id="hall.W001",
        )
        for year in years
    ]


@register()
def sms_backend_check(app_configs=None, **kwargs):
    """The SMS backend must take the idempotency key, or a resent SMS may reach the citizen twice."""
    from django.utils.module_loading import import_string

    from .notice_backends import sms_backend_path, takes_idempotency_key

    path = sms_backend_path()
    try:
        backend_class = import_string(path)
    except ImportError as error:
        return [Warning(f"短信发送后端 {path} 无法导入：{error}", id="hall.W002")]
    if takes_idempotency_key(backend_class):
        return []
    return [
        Warning(
            f"短信发送后端 {path} 的 send() 不接受 idempotency_key：重发时网关无法去重，市民可能收到两条相同短信。",
            hint="改为 send(*, mobile, text, idempotency_key)，并把该键交给短信网关（见 docs/settings.md）。",
            id="hall.W002",
        )
    ]
