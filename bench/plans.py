"""The plan of every query each list page runs on the cases table, with EXPLAIN (ANALYZE, BUFFERS), on a
bench database (docs/performance.md records them at 1,000,000 cases).

    .venv/bin/python bench/plans.py --database-url postgres://postgres@127.0.0.1:5432/tongban_bench_1m

Each page is requested in-process as its role (the accounts bench/pages_prepare.py chose), its SQL
captured, and each query that reads cases_case explained. A plan whose buffers grow with the closed
history is a bug (DESIGN.md "Lists at a city's volume").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PAGES = [
    ("clerk", "/cases/desk/"),
    ("approver", "/cases/approvals/"),
    ("supervisor", "/cases/supervision/"),
    ("citizen", "/workbench/"),
    ("agent", "/workbench/"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--summary", action="store_true", help="only the timing and buffer lines of each plan")
    args = parser.parse_args()
    if "tongban_bench" not in args.database_url:
        sys.exit("bench: --database-url must name a bench database (postgres://…/tongban_bench_…)")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "pages_prepare.py")],
        env={**os.environ, "DATABASE_URL": args.database_url},
        capture_output=True,
        text=True,
    )
    prepared = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("PREPARED "))[9:])
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pages import DEMO_TOTP_SECRET, totp_now

    settings.ALLOWED_HOSTS = ["*"]
    for role, path in PAGES:
        client = Client()
        client.post("/login/", {"username": prepared["accounts"][role], "password": prepared["password"]})
        response = client.get(path)
        if "otp" in response.get("Location", ""):  # staff: the second factor, with the demo TOTP secret
            client.post(response["Location"], {"code": totp_now(DEMO_TOTP_SECRET)})
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        print(f"\n## {role} {path} ({response.status_code}, {len(ctx.captured_queries)} queries)")
        for query in ctx.captured_queries:
            sql = query["sql"]
            if 'FROM "cases_case"' not in sql:
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = [row[0] for row in cursor.fetchall()]
            print(f"\n{re.sub(r'SELECT .*? FROM', 'SELECT … FROM', sql, count=1)[:300]}")
            for line in plan:
                if not args.summary or re.search(r"Scan|Buffers|Execution|Rows Removed", line):
                    print("    " + line)


if __name__ == "__main__":
    main()
