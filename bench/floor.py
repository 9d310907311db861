"""Benchmark of the hall floor on PostgreSQL: a year of ticket history in five halls, then a busy day.

    .venv/bin/python bench/floor.py                          # creates and fills tongban_bench_floor
    .venv/bin/python bench/floor.py --per-day 600 --waiting 400
    BENCH_FLOOR_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_bench_floor (default)

Steps: create the database if missing, migrate, load the demo organisation and the floor's opening
hours, fill `hall_ticket` with 365 days × 5 halls × `--per-day` finished tickets (INSERT … SELECT
generate_series), put `--waiting` tickets waiting today at 江城区, ANALYZE, then time:
  - kiosk: issuing a ticket (numbering row lock, one-waiting check, insert);
  - call: a signed-in window calling the next ticket (the waiting-queue index, SKIP LOCKED), EXPLAIN;
  - board: the calling screen's fragment rendered without its cache (latest calls, waiting counts);
  - figures: the supervisor's figures of today for the city's five halls.
Each timing is the median of several runs, with the rows of a run rolled back where it wrote.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

from benchdb import ensure_database, refuse_shared_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def fill(per_day: int, waiting: int) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from hall.demo import seed_demo
    from hall.floor.demo import seed_floor_hours

    call_command("migrate", verbosity=0)
    seed_demo()
    seed_floor_hours()
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE hall_ticket, hall_ticketsequence RESTART IDENTITY CASCADE")
        # History: finished tickets of the last 365 days (served 90 %, missed 10 %), every hall.
        cursor.execute(
            """
            INSERT INTO hall_ticket (hall_id, date, category, lane, rank, sequence, number, state, issued_at,
                                     called_at, last_called_at, call_count, served_at, closed_at,
                                     wait_seconds, service_seconds, priority_reason)
            SELECT h.id, %s::date - d, 'commercial', 'walk_in', 2, s, 'C' || lpad((s %% 1000)::text, 3, '0'),
                   CASE WHEN s %% 10 = 0 THEN 'missed' ELSE 'served' END,
                   now() - make_interval(days => d), now() - make_interval(days => d),
                   now() - make_interval(days => d), 1, now() - make_interval(days => d),
                   now() - make_interval(days => d), (s * 37) %% 1800, 120 + (s * 13) %% 600, ''
            FROM hall_hall h, generate_series(1, 365) d, generate_series(1, %s) s
            """,
            [today, per_day],
        )
        cursor.execute("ANALYZE hall_ticket")
    from django.conf import settings

    from hall.floor.clock import local_moment, shift_to
    from hall.floor.tickets import ticket_issue
    from hall.models import Hall
    from hall.workdays import next_working_day

    jc = Hall.objects.get(code="JC")
    # The busy day: the next working day from tomorrow, at 10:00 (the floor's clock is moved there).
    busy_day = next_working_day(today + dt.timedelta(days=1))
    settings.TONGBAN_FLOOR_CLOCK_SHIFT_SECONDS = shift_to(local_moment(busy_day, dt.time(10)))
    for _ in range(waiting):
        ticket_issue(hall=jc, category="commercial")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE hall_ticket")


def timed(label: str, work, runs: int = 7, rollback: bool = True) -> float:
    from django.db import transaction

    samples = []
    for _ in range(runs):
        try:
            with transaction.atomic():
                start = time.perf_counter()
                work()
                samples.append((time.perf_counter() - start) * 1000)
                if rollback:
                    raise _Rollback
        except _Rollback:
            pass
    median = statistics.median(samples)
    print(f"{label:<44} {median:8.2f} ms (median of {runs})")
    return median


class _Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-day", type=int, default=600, help="finished tickets per hall per day of history")
    parser.add_argument("--waiting", type=int, default=400, help="tickets waiting today at 江城区")
    args = parser.parse_args()
    url = os.environ.get("BENCH_FLOOR_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tongban_bench_floor")
    refuse_shared_database(url)  # fill() empties the ticket table
    ensure_database(url)
    setup_django(url)
    start = time.perf_counter()
    fill(args.per_day, args.waiting)
    print(f"filled in {time.perf_counter() - start:.1f} s")

    from django.core.cache import cache
    from django.db import connection
    from django.test import RequestFactory

    from hall.constants import StaffRole
    from hall.floor.clock import floor_today
    from hall.floor.selectors import figures_for_halls
    from hall.floor.tickets import ticket_call_next, ticket_issue, window_sign_in
    from hall.floor.views.screen import board
    from hall.models import Hall, Ticket, User, Window

    total = Ticket.objects.count()
    print(f"{total:,} tickets in the table, {Ticket.objects.filter(state='waiting').count():,} waiting")
    jc = Hall.objects.get(code="JC")
    clerk = User.objects.get(assignments__hall=jc, assignments__role=StaffRole.WINDOW_CLERK)
    window = Window.objects.get(hall=jc, number=3)
    window_sign_in(clerk=clerk, window=window)
    day = floor_today()

    timed("kiosk: issue a walk-in ticket", lambda: ticket_issue(hall=jc, category="commercial"))
    timed("window: call the next ticket", lambda: ticket_call_next(clerk=clerk, window=window))
    request = RequestFactory().get("/floor/JC/screen/board/")
    request.LANGUAGE_CODE = "zh-hans"

    def board_uncached():
        cache.clear()
        board(request, "JC")

    timed("calling screen fragment, not cached", board_uncached, rollback=False)
    timed("calling screen fragment, cached", lambda: board(request, "JC"), rollback=False)
    halls = list(Hall.objects.order_by("code"))
    timed("figures of today, five halls", lambda: figures_for_halls(halls, day), rollback=False)
    with connection.cursor() as cursor:
        sql, params = (
            Ticket.objects.filter(hall=jc, date=day, category__in=["commercial"], state="waiting")
            .order_by("rank", "id")
            .values_list("pk")[:20]
            .query.sql_with_params()
        )
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
