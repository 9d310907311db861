"""System check: warn admins while a year that running clocks may reach has no official calendar."""

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
