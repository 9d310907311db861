"""The calendar table: seeding, admin edits that reseeding keeps, provisional years, the system
check and the admin banner."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from hall import checks, workdays
from hall.constants import DayKind, DaySource
from hall.models import WorkingDay
from hall.workdays import (
    calendar_confirm_year,
    calendar_seed,
    is_provisional,
    is_working_day,
    working_day_update,
    years_without_official_calendar,
)


@pytest.fixture(autouse=True)
def fresh_cache():
    workdays.workdays_changed()
    yield
    workdays.workdays_changed()


def test_seed_marks_official_and_provisional_years(db):
    report = calendar_seed(years=[2026, 2027])
    assert report[2026]["official"] and not report[2027]["official"]
    assert WorkingDay.objects.filter(date__year=2026).count() == 365
    swap = WorkingDay.objects.get(date=date(2026, 10, 10))
    assert swap.is_working_day and swap.kind == DayKind.SWAP_WORKDAY and swap.note == "国庆节"
    holiday = WorkingDay.objects.get(date=date(2026, 2, 17))
    assert not holiday.is_working_day and holiday.kind == DayKind.HOLIDAY and holiday.note == "春节"
    assert not WorkingDay.objects.filter(date__year=2026, provisional=True).exists()
    assert not WorkingDay.objects.filter(date__year=2027, provisional=False).exists()


def test_reseeding_is_idempotent_and_keeps_admin_edits(db):
    calendar_seed(years=[2027])
    # The admin enters the real 2027 arrangement for one day: a swapped Saturday workday.
    working_day_update(day=date(2027, 2, 20), is_working_day=True, kind=DayKind.SWAP_WORKDAY, note="春节调休")
    assert is_working_day(date(2027, 2, 20))
    report = calendar_seed(years=[2027])
    assert report[2027] == {"official": False, "created": 0, "updated": 0, "kept": 1}
    row = WorkingDay.objects.get(date=date(2027, 2, 20))
    assert row.is_working_day and row.source == DaySource.ADMIN and not row.provisional
    assert is_working_day(date(2027, 2, 20))
    assert WorkingDay.objects.filter(date__year=2027).count() == 365


def test_admin_edit_invalidates_the_cache(db):
    calendar_seed(years=[2026])
    assert is_working_day(date(2026, 11, 23))
    working_day_update(day=date(2026, 11, 23), is_working_day=False, kind=DayKind.HOLIDAY, note="临时调整")
    assert not is_working_day(date(2026, 11, 23))


def test_admin_edit_schedules_the_clock_recompute(db, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(workdays, "calendar_changed_schedule_recompute", lambda: sent.append(True))
    working_day_update(day=date(2027, 2, 20), is_working_day=True, kind=DayKind.SWAP_WORKDAY)
    assert sent == [True]


def test_confirming_a_year_ends_provisional(db):
    calendar_seed(years=[2026, 2027])
    assert years_without_official_calendar(date(2026, 11, 22)) == [2027]
    assert years_without_official_calendar(date(2026, 6, 1)) == []  # 2027 is more than 90 days away
    assert is_provisional(date(2027, 3, 1))
    assert calendar_confirm_year(year=2027) == 365
    assert not is_provisional(date(2027, 3, 1))
    assert years_without_official_calendar(date(2026, 11, 22)) == []


def test_unseeded_year_is_reported(db):
    assert years_without_official_calendar(date(2026, 11, 22)) == [2026, 2027]


def test_system_check_warns_until_the_year_is_entered(db, monkeypatch):
    calendar_seed(years=[2026, 2027])
    monkeypatch.setattr(checks.timezone, "localdate", lambda: date(2026, 11, 22))
    warnings = checks.calendar_entered_check()
    assert [w.id for w in warnings] == ["hall.W001"]
    assert "2027年工作日历尚未" in warnings[0].msg
    calendar_confirm_year(year=2027)
    assert checks.calendar_entered_check() == []


def test_seed_calendar_command(db, capsys):
    call_command("seed_calendar", "2026", "2027")
    out = capsys.readouterr().out
    assert "2026年 正式" in out and "2027年 暂定" in out


@pytest.mark.parametrize("who, sees_banner", [("admin", True), ("clerk", False), ("citizen", False)])
def test_banner_for_admins_only(cast, client, monkeypatch, who, sees_banner):
    # Today is fixed: 1 November 2026, so that 2027 lies within the 90-day horizon whatever the real date.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 11, 1))
    calendar_seed(years=[2026])  # 2027 missing
    assert years_without_official_calendar(date(2026, 11, 1)) == [2027]
    client.force_login(getattr(cast, who))
    html = client.get(reverse("home")).content.decode()
    assert ('id="calendar-banner"' in html) is sees_banner
    if sees_banner:
        assert "2027" in html.split('id="calendar-banner"', 1)[1].split("</div>", 1)[0]


def test_no_banner_once_the_coming_year_is_entered(cast, client, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 11, 1))
    calendar_seed(years=[2026, 2027])
    calendar_confirm_year(year=2026)
    calendar_confirm_year(year=2027)
    client.force_login(cast.admin)
    assert 'id="calendar-banner"' not in client.get(reverse("home")).content.decode()


def test_admin_changelist_and_edit(cast, client):
    calendar_seed(years=[2027])
    admin_user = cast.admin
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    assert client.get(reverse("admin:hall_workingday_changelist")).status_code == 200
    row = WorkingDay.objects.get(date=date(2027, 2, 20))
    response = client.post(
        reverse("admin:hall_workingday_change", args=[row.pk]),
        {"date": "2027-02-20", "is_working_day": "on", "kind": DayKind.SWAP_WORKDAY, "note": "春节调休"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.source == DaySource.ADMIN and row.is_working_day
    response = client.post(
        reverse("admin:hall_workingday_changelist"),
        {"action": "confirm_years", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    assert not WorkingDay.objects.filter(date__year=2027, provisional=True).exists()


def test_another_process_edit_is_seen_after_the_version_check(db):
    calendar_seed(years=[2026])
    assert is_working_day(date(2026, 11, 24))
    # Another process (the admin's web worker) edits the row; this process has the year cached.
    WorkingDay.objects.filter(date=date(2026, 11, 24)).update(is_working_day=False, updated_at=timezone.now())
    assert is_working_day(date(2026, 11, 24))  # still cached within CHECK_SECONDS
    workdays._state["checked"] = 0.0  # CHECK_SECONDS have passed
    assert not is_working_day(date(2026, 11, 24))


def test_recompute_task_is_sent_by_name_after_commit(db, django_capture_on_commit_callbacks, monkeypatch):
    from hall.celery import app

    app.loader.import_default_modules()  # what the function does in a web process that has not yet
    task = app.tasks[workdays.CALENDAR_RECOMPUTE_TASK]
    sent = []
    monkeypatch.setattr(task, "delay", lambda *a, **k: sent.append(True))
    with django_capture_on_commit_callbacks(execute=True):
        working_day_update(day=date(2027, 2, 20), is_working_day=True, kind=DayKind.SWAP_WORKDAY)
    assert sent == [True]
