"""Benchmark of the SLA scan on PostgreSQL: 1,000,000 open cases, of which 1,000 (then 10,000) are due.

    .venv/bin/python bench/sla_scan.py                       # creates and fills tongban_bench
    .venv/bin/python bench/sla_scan.py --cases 100000        # the same due counts among fewer open cases
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_bench (default)

Steps: create the database if missing, migrate, load the demo organisation and the calendar, fill
`cases_case` with INSERT … SELECT generate_series (not due: next_due 10–310 days ahead), then for each
due count make that many cases due (spread over the table), ANALYZE, and time:
  - query: the scan's only read of the cases table (cases.sla.due_cases), with EXPLAIN ANALYZE;
  - first scan: the scan that finds every due case newly yellow/red/overdue and records and notifies each;
  - steady scan: the next run (nothing changed: what beat runs every few minutes).
Notices are queued to an in-memory broker (nothing is sent).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
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


def fill(total: int) -> None:
    """Make `total` open (accepted, not due) cases, reusing what a previous run left when it matches."""
    from django.db import connection

    from cases.models import Case
    from hall.demo import seed_demo
    from hall.models import Department, Hall, User
    from hall.workdays import calendar_seed

    seed_demo()
    today = dt.date.today()
    calendar_seed(years=[today.year - 1, today.year, today.year + 1])
    if Case.objects.count() == total:
        print(f"{total:,} cases already there")
        return
    hall = Hall.objects.get(code="JC")
    department = Department.objects.get(region__code="441702", short_name="市场监管")
    applicant = User.objects.filter(kind="person").order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_case RESTART IDENTITY CASCADE")
        cursor.execute("TRUNCATE hall_clockwarning, hall_noticedelivery, hall_notice RESTART IDENTITY CASCADE")
        started = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO cases_case (
                number, state, channel, applicant_id, applicant_name, agent_name, agent_id_number, agent_id_number_index,
                receiving_hall_id, owning_department_id, form_data, identity_checked, undertaking,
                outcome_reasons, created_at, updated_at, submitted_at, received_at, accepted_on,
                decision_due, paused_days, extension_days, warning_level, next_due
            )
            SELECT 'BN' || lpad(i::text, 10, '0'), 'accepted', 'counter', %(applicant)s, '张三', '', '', '',
                   %(hall)s, %(department)s, '{}', true, '', '', now(), now(), now(), now(),
                   %(today)s::date - 1, %(today)s::date + 10 + (i %% 300), 0, 0, 'green',
                   %(today)s::date + 10 + (i %% 300)
            FROM generate_series(1, %(total)s) AS i
            """,
            {"applicant": applicant.pk, "hall": hall.pk, "department": department.pk, "today": today, "total": total},
        )
        print(f"inserted {total:,} open cases in {time.perf_counter() - started:.1f} s")
        cursor.execute("ANALYZE cases_case")


def make_due(total: int, due: int) -> None:
    """Reset every case to not due, then make `due` of them due (spread over the table)."""
    from django.db import connection

    today = dt.date.today()
    step = max(total // due, 1)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE hall_clockwarning, hall_noticedelivery, hall_notice RESTART IDENTITY CASCADE")
        cursor.execute(
            "UPDATE cases_case SET next_due = %(today)s::date + 10 + (id %% 300)::int, "
            "decision_due = %(today)s::date + 10 + (id %% 300)::int, warning_level = 'green' "
            "WHERE next_due < %(today)s::date + 10",
            {"today": today},
        )
        # due today (red), due in the past (overdue) and due tomorrow-ish (yellow), mixed
        cursor.execute(
            "UPDATE cases_case SET next_due = %(today)s::date - (id %% 3)::int, decision_due = %(today)s::date - (id %% 3)::int "
            "WHERE id %% %(step)s = 0 AND id <= %(limit)s",
            {"today": today, "step": step, "limit": step * due},
        )
        # Earlier runs' updates left dead index entries: clean them so each run measures the same table.
        cursor.execute("VACUUM ANALYZE cases_case")


def warm_up() -> None:
    """Load what a running worker has loaded after its first task: the URLconf and the templates."""
    from django.urls import reverse

    from hall.notices import _template

    reverse("home")
    _template("notices/clock_warning_subject.txt")
    _template("notices/clock_warning_body.txt")


def measure(total: int, due: int) -> dict:
    from django.utils import timezone

    from cases import sla

    make_due(total, due)
    warm_up()
    now = timezone.now()
    horizon = sla.scan_horizon(timezone.localdate(now))
    query = sla.due_cases(horizon)
    plan = query.explain(analyze=True, buffers=True)
    started = time.perf_counter()
    found = len(list(sla.due_cases(horizon)))
    query_s = time.perf_counter() - started
    started = time.perf_counter()
    first = sla.sla_scan(now=now)
    first_s = time.perf_counter() - started
    steady_runs = []
    for _ in range(3):  # the first read after the big write also sets hint bits on the updated rows
        started = time.perf_counter()
        steady = sla.sla_scan(now=now)
        steady_runs.append(time.perf_counter() - started)
    steady_s = sorted(steady_runs)[1]
    return {
        "due": due,
        "found": found,
        "query_s": query_s,
        "first_s": first_s,
        "first": first,
        "steady_s": steady_s,
        "steady": steady,
        "steady_runs": steady_runs,
        "plan": plan,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, nargs="+", default=[1_000, 10_000])
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tongban_bench")
    refuse_shared_database(url)  # fill() empties the case table
    ensure_database(url)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    fill(args.cases)
    rows = []
    for due in args.due:
        result = measure(args.cases, due)
        rows.append(result)
        print(f"\n=== {args.cases:,} open cases, {due:,} due ===")
        print(result["plan"])
        print(
            f"query {result['query_s'] * 1000:.0f} ms ({result['found']:,} rows) · "
            f"first scan {result['first_s']:.2f} s ({result['first'].recorded:,} warnings recorded, "
            f"{result['first'].notices:,} notices queued) · "
            f"steady scan median {result['steady_s'] * 1000:.0f} ms of "
            f"{', '.join(f'{run * 1000:.0f}' for run in result['steady_runs'])} ms "
            f"({result['steady'].scanned:,} read, {result['steady'].recorded} new)"
        )
    print("\nsummary (open cases, due, query ms, first scan s, steady scan median ms)")
    for r in rows:
        print(
            f"{args.cases:>10,} {r['due']:>7,} {r['query_s'] * 1000:>9.0f} {r['first_s']:>12.2f} {r['steady_s'] * 1000:>15.0f}"
        )


if __name__ == "__main__":
    main()
