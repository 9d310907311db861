"""The plan of every query each list page runs on the cases table, with EXPLAIN (ANALYZE, BUFFERS), on a
bench database (docs/performance.md records them at 1,000,000 cases).

    .venv/bin/python bench/plans.py --database-url postgres://postgres@127.0.0.1:5432/tongban_bench_1m

Each page is requested in-process as its role (the accounts bench/pages_prepare.py chose), its SQL
captured, and each query that reads one of TABLES (cases, hand-offs, extensions, orders, hand-overs,
archive packages, rating tickets) explained. A plan whose buffers grow with the closed
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
    # The newer lists: result window, production, hand-offs, ratings, archive, extensions.
    ("result", "/results/"),
    ("result", "/results/?tab=post"),
    ("result", "/results/?tab=receive"),
    ("approver", "/results/production/"),
    ("clerk", "/cases/handoffs/"),
    ("supervisor", "/ratings/tickets/"),
    ("supervisor", "/ratings/supervision/"),
    ("supervisor", "/ratings/assessment/"),
    ("supervisor", "/ratings/tickets/{ticket}/"),
    ("archivist", "/archive/"),
    ("head", "/cases/extensions/"),
]
# The tables whose reads grow with history if a list misses its index.
TABLES = (
    "cases_case",
    "cases_handoff",
    "cases_extensionrequest",
    "delivery_deliveryorder",
    "delivery_resulthandover",
    "delivery_archivepackage",
    "evaluation_rectificationticket",
    "evaluation_service",
    "evaluation_figurerow",
    "cases_caseevent",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--summary", action="store_true", help="only the timing and buffer lines of each plan")
    parser.add_argument("--only", default="", help="substring of the page paths to explain")
    args = parser.parse_args()
    from pages import bench_database_refusal

    refusal = bench_database_refusal(args.database_url)
    if refusal:
        sys.exit(refusal)
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
    clients = {}  # one login per role: a second factor code is accepted once
    for role, path in PAGES:
        if args.only not in path:
            continue
        path = path.format(ticket=prepared.get("cases", {}).get("ticket"))
        client = clients.get(role)
        if client is None:
            client = clients[role] = Client()
            client.post("/login/", {"username": prepared["accounts"][role], "password": prepared["password"]})
            response = client.get(path)
            if "otp" in response.get("Location", ""):  # staff: the second factor, with the demo TOTP secret
                secret = prepared.get("totp_secret") or DEMO_TOTP_SECRET
                client.post(response["Location"], {"code": totp_now(secret)})
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        print(f"\n## {role} {path} ({response.status_code}, {len(ctx.captured_queries)} queries)")
        for query in ctx.captured_queries:
            sql = query["sql"]
            if not any(f'FROM "{table}"' in sql for table in TABLES):
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
