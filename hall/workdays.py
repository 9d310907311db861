"""Working-day arithmetic on the calendar table (DOMAIN.md §3: limits count working days, the start
day not counted; China swaps weekend days into workdays around holidays).

Reads go through a per-process map of one year per query, so a clock that walks thirty days makes
at most two queries. The map is dropped when an admin edits the calendar (`workdays_changed`, which
and other processes (the Celery worker) notice an edit within CHECK_SECONDS by reading the table's
version: its row count and latest update time, one cheap aggregate).

A date with no row (a year nobody has seeded, or a year whose official calendar is not out) falls
back to the rule: weekends plus the statutory holidays whose dates are fixed by rule
(全国年节及纪念日放假办法, 2024 revision) and is provisional.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache as memoize

from django.core.cache import cache
from django.utils import timezone

# Seconds between checks of the shared calendar version (another process may have edited it).
CHECK_SECONDS = 10

# Lunar holidays by Gregorian date for years after chinesecalendar's data ends. Known astronomical
# dates; the State Council's actual arrangement (swaps, extra days) is announced each November.
SPRING_FESTIVAL = {2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3)}
DRAGON_BOAT = {2027: date(2027, 6, 9), 2028: date(2028, 5, 28), 2029: date(2029, 6, 16), 2030: date(2030, 6, 5)}
MID_AUTUMN = {2027: date(2027, 9, 15), 2028: date(2028, 10, 3), 2029: date(2029, 9, 22), 2030: date(2030, 9, 12)}

# The calendar answers for these years only, and counts at most this many days at a time: a date typed
# as 9999-12-31 (or a count of a million days) is a mistake to refuse, not a loop to run.
EARLIEST_YEAR = 1949
LATEST_YEAR = 2200
MAX_SPAN_DAYS = 20 * 366


class OutsideCalendar(ValueError):
    """A date or a count outside what the working-day calendar answers for."""


def _guard(day: date) -> None:
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise OutsideCalendar(f"{day.isoformat()} is outside the working-day calendar")


def _guard_span(start: date, end: date) -> None:
    _guard(start)
    _guard(end)
    if abs((end - start).days) > MAX_SPAN_DAYS:
        raise OutsideCalendar(f"{start.isoformat()}..{end.isoformat()} is longer than the calendar counts")


_lock = threading.Lock()
_years: dict[int, dict[date, tuple[bool, bool]]] = {}
_state = {"version": None, "checked": 0.0, "generation": 0}


@memoize
def rule_holidays(year: int) -> dict[date, str]:
    """The statutory holidays of `year` known by rule, without the swapped workdays nobody can guess."""
    days = {date(year, 1, 1): "元旦", date(year, 5, 1): "劳动节", date(year, 5, 2): "劳动节"}
    for offset in range(3):
        days[date(year, 10, 1) + timedelta(days=offset)] = "国庆节"
    if year in SPRING_FESTIVAL:  # 除夕 and the first three days of the lunar year
        for offset in range(-1, 3):
            days[SPRING_FESTIVAL[year] + timedelta(days=offset)] = "春节"
    qingming = _qingming(year)
    if qingming:
        days[qingming] = "清明节"
    if year in DRAGON_BOAT:
        days[DRAGON_BOAT[year]] = "端午节"
    if year in MID_AUTUMN:
        days.setdefault(MID_AUTUMN[year], "中秋节")
    return days


def _qingming(year: int) -> date | None:
    try:
        import chinese_calendar

        terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
    except Exception:  # noqa: BLE001 - outside the library's range: no Qingming by rule
        return None
    return next((day for day, name in terms if name == "清明"), None)


def rule_is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in rule_holidays(day.year)


def _table_version():
    from django.db.models import Count, Max

    from .models import WorkingDay

    row = WorkingDay.objects.aggregate(n=Count("pk"), latest=Max("updated_at"))
    return row["n"], row["latest"]


def workdays_changed() -> None:
    """Forget the cached calendar in this process (other processes see the table's new version)."""
    with _lock:
        _years.clear()
        _state["version"] = None
        _state["checked"] = 0.0
        _state["generation"] += 1
    cache.delete("tongban:calendar_warning_years")


def calendar_generation() -> int:
    """A number that changes whenever this process forgets its calendar (an edit here, or another
    process's edit seen by the periodic version check): what is computed from the calendar may be kept
    while it stays the same."""
    _check_version()
    return _state["generation"]


def _check_version() -> None:
    now = time.monotonic()
    if now - _state["checked"] < CHECK_SECONDS:
        return
    version = _table_version()
    with _lock:
        _state["checked"] = now
        if version != _state["version"]:
            _years.clear()
            _state["version"] = version
            _state["generation"] += 1


def _year(year: int) -> dict[date, tuple[bool, bool]]:
    _check_version()
    days = _years.get(year)
    if days is None:
        from .models import WorkingDay

        rows = WorkingDay.objects.filter(date__year=year).values_list("date", "is_working_day", "provisional")
        days = {row_date: (working, provisional) for row_date, working, provisional in rows}
        with _lock:
            _years[year] = days
    return days


def _lookup(day: date) -> tuple[bool, bool]:
    """(is working day, is provisional) for one date."""
    _guard(day)
    entry = _year(day.year).get(day)
    if entry is None:
        return rule_is_working_day(day), True
    return entry


def is_working_day(day: date) -> bool:
    return _lookup(day)[0]


def is_provisional(day: date) -> bool:
    """True when the date's status is a guess: its year's official arrangement is not entered."""
    return _lookup(day)[1]


def any_provisional(start: date, end: date) -> bool:
    """True if any date in start..end (both included) is provisional."""
    if end < start:
        start, end = end, start
    _guard_span(start, end)
    day = start
    while day <= end:
        if is_provisional(day):
            return True
        day += timedelta(days=1)
    return False


def add_working_days(start: date, n: int) -> date:
    """The date n working days after `start`, the start day not counted (n < 0 counts backwards).
    n = 0 returns the start day itself."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    _guard(start)
    if remaining > MAX_SPAN_DAYS // 2:  # a working day at least every other calendar day
        raise OutsideCalendar(f"{n} working days is more than the calendar counts")
    day = start
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def next_working_day(day: date) -> date:
    """`day` itself if it is a working day, else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _cumulative(year: int) -> list[int]:
    """totals[i] = working days from 1 January up to and including day i of `year` (totals[0] = 0).
    Kept beside the year's days, so it is forgotten with them when the calendar changes."""
    _year(year)  # checks the table's version first (may forget every year)
    key = ("cumulative", year)
    totals = _years.get(key)
    if totals is None:
        first = date(year, 1, 1)
        length = (date(year + 1, 1, 1) - first).days
        totals = [0] * (length + 1)
        for i in range(length):
            totals[i + 1] = totals[i] + (1 if _lookup(first + timedelta(days=i))[0] else 0)
        with _lock:
            _years[key] = totals
    return totals


def _working_after(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (start <= end), from the running totals."""
    through_end = _cumulative(end.year)[end.timetuple().tm_yday]
    through_start = _cumulative(start.year)[start.timetuple().tm_yday]
    between = sum(_cumulative(year)[-1] for year in range(start.year, end.year))
    return between + through_end - through_start


def working_days_between(start: date, end: date, pauses: Iterable[tuple[date, date]] = ()) -> int:
    """Working days after `start` up to and including `end`, leaving out days inside a pause.

    A pause (begin, finish) stops the clock for the days after `begin` up to and including `finish`
    (the same convention as the limit itself); a pause still running has finish = None (up to `end`).
    If end < start the result is negative: minus the working days from end to start."""
    if end < start:
        return -working_days_between(end, start, pauses)
    _guard_span(start, end)
    windows = [(begin, finish or end) for begin, finish in pauses]
    if not windows:
        # Counted from per-year running totals: a clock overdue by years costs what one overdue by a
        # day costs (a workbench shows 25 such badges per page).
        return _working_after(start, end)
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        if is_working_day(day) and not any(begin < day <= finish for begin, finish in windows):
            count += 1
        day += timedelta(days=1)
    return count


def years_without_official_calendar(today: date, horizon_days: int = 90) -> list[int]:
    """The years from `today` to today + horizon whose calendar is still provisional (or missing):
    clocks running now may end in them, so admins must enter them."""
    from .models import WorkingDay

    years = range(today.year, (today + timedelta(days=horizon_days)).year + 1)
    missing = []
    for year in years:
        rows = WorkingDay.objects.filter(date__year=year)
        if not rows.exists() or rows.filter(provisional=True).exists():
            missing.append(year)
    return missing


# Writes: seeding and admin edits --------------------------------------------------------------

CALENDAR_RECOMPUTE_TASK = "cases.tasks.case_clocks_recompute"


def _official_days(year: int) -> dict[date, tuple[bool, str, str]] | None:
    """{date: (working, kind, note)} from chinesecalendar, or None if it has no data for the year."""
    import chinese_calendar

    from .constants import DayKind

    try:
        chinese_calendar.get_holiday_detail(date(year, 12, 31))
        chinese_calendar.get_holiday_detail(date(year, 1, 1))
    except NotImplementedError:
        return None
    days = {}
    day = date(year, 1, 1)
    while day.year == year:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        weekend = day.weekday() >= 5
        if not on_holiday and weekend:
            days[day] = (True, DayKind.SWAP_WORKDAY, _holiday_name(name))
        elif on_holiday and name:
            days[day] = (False, DayKind.HOLIDAY, _holiday_name(name))
        else:
            days[day] = (not on_holiday, DayKind.NORMAL, "")
        day += timedelta(days=1)
    return days


HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _holiday_name(name: str | None) -> str:
    if not name:
        return ""
    return HOLIDAY_NAMES.get(name, name)


def _rule_days(year: int) -> dict[date, tuple[bool, str, str]]:
    from .constants import DayKind

    holidays = rule_holidays(year)
    days = {}
    day = date(year, 1, 1)
    while day.year == year:
        if day in holidays:
            days[day] = (False, DayKind.HOLIDAY, holidays[day])
        else:
            days[day] = (day.weekday() < 5, DayKind.NORMAL, "")
        day += timedelta(days=1)
    return days


def calendar_seed(*, years: Iterable[int]) -> dict[int, dict[str, int | bool]]:
    """Fill the calendar for `years`: official data from chinesecalendar where it has the year,
    else the rule, marked provisional. Rows an admin edited are left alone. Idempotent.
    Returns per year: official (bool), created, updated, kept (admin rows)."""
    from django.db import transaction

    from .constants import DaySource
    from .models import WorkingDay

    report = {}
    for year in years:
        official = _official_days(year)
        days = official if official is not None else _rule_days(year)
        existing = {row.date: row for row in WorkingDay.objects.filter(date__year=year)}
        created = updated = kept = 0
        with transaction.atomic():
            new_rows = []
            for day, (working, kind, note) in days.items():
                row = existing.get(day)
                values = {"is_working_day": working, "kind": kind, "note": note, "provisional": official is None}
                if row is None:
                    new_rows.append(WorkingDay(date=day, source=DaySource.SEEDED, **values))
                elif row.source == DaySource.ADMIN:
                    kept += 1
                elif any(getattr(row, field) != value for field, value in values.items()):
                    WorkingDay.objects.filter(pk=row.pk).update(updated_at=timezone.now(), **values)
                    updated += 1
            WorkingDay.objects.bulk_create(new_rows)
            created = len(new_rows)
        report[year] = {"official": official is not None, "created": created, "updated": updated, "kept": kept}
    workdays_changed()
    if any(r["updated"] for r in report.values()):
        calendar_changed_schedule_recompute()
    return report


def working_day_update(*, day: date, is_working_day: bool, kind: str, note: str = "", provisional: bool = False):
    """An admin's edit of one day: stored with source=admin (reseeding keeps it), then every open
    case's clock is recomputed in Celery after commit."""
    from .constants import DaySource
    from .models import WorkingDay

    row, _ = WorkingDay.objects.update_or_create(
        date=day,
        defaults={
            "is_working_day": is_working_day,
            "kind": kind,
            "note": note,
            "provisional": provisional,
            "source": DaySource.ADMIN,
        },
    )
    workdays_changed()
    calendar_changed_schedule_recompute()
    return row


def calendar_confirm_year(*, year: int) -> int:
    """An admin confirms that `year` now matches the State Council's announcement: every day of it
    stops being provisional (days never seeded are filled by rule first). Returns rows confirmed."""
    from .constants import DaySource
    from .models import WorkingDay

    if not WorkingDay.objects.filter(date__year=year).exists():
        calendar_seed(years=[year])
    count = WorkingDay.objects.filter(date__year=year, provisional=True).update(
        provisional=False, source=DaySource.ADMIN, updated_at=timezone.now()
    )
    workdays_changed()
    calendar_changed_schedule_recompute()
    return count


def calendar_changed_schedule_recompute() -> None:
    """After commit, ask the cases app (by task name: hall never imports it) to recompute open clocks."""
    import logging

    from django.db import transaction

    def send() -> None:
        from .celery import app

        try:
            task = app.tasks.get(CALENDAR_RECOMPUTE_TASK)
            if task is None:  # a web process has not imported the apps' task modules yet
                app.loader.import_default_modules()
                task = app.tasks[CALENDAR_RECOMPUTE_TASK]
            task.delay()
        except Exception:  # noqa: BLE001 - a broker outage must not undo the admin's edit
            logging.getLogger(__name__).exception("could not schedule the clock recompute")

    transaction.on_commit(send)
