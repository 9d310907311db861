"""The CPU each page costs inside one web process, on the production settings: load-independent where
bench/pages.py's wall-clock figures are not (the machine may be shared).

    .venv/bin/python bench/cpu.py --database-url postgres://postgres@127.0.0.1:5432/tongban_bench_10k
    .venv/bin/python bench/cpu.py --database-url … --only "approver queue" --profile 30

Each page of bench/pages.py is requested in-process through Django's test client as its role (logged in
through the login form and the second factor), warmed up, then requested --rounds times; printed per page:
the median process CPU (time.process_time: Python's work, the database's own CPU not included), the
median wall time, the number of SQL queries and the time spent waiting for them. --profile N prints the
N functions with the most cumulative time (cProfile) of each page after the figures. --json FILE keeps
every request's figures too, for bench/growth_table.py (growth from 10k to 1M per request, without the
machine's noise that a p95 under load carries).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--only", default="", help="substring of the page labels to run")
    parser.add_argument("--profile", type=int, default=0, help="print this many functions of each page's profile")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key for --profile")
    parser.add_argument("--dump", default="", help="write each page's profile to this folder (pstats files)")
    parser.add_argument("--settings", default="hall.settings.production")
    parser.add_argument("--json", default="", help="write every request's figures to this file")
    args = parser.parse_args()

    from pages import bench_database_refusal, pages, prepare, production_env, totp_now  # noqa: PLC0415

    refusal = bench_database_refusal(args.database_url)
    if refusal:
        sys.exit(refusal)
    prepared = prepare(args.database_url)
    env = production_env(args.database_url)
    env["DJANGO_SETTINGS_MODULE"] = args.settings
    env.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(64))
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, check=True)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    clients = {"": Client(HTTP_ACCEPT_LANGUAGE="zh-CN")}
    for role, username in prepared["accounts"].items():
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
        response = client.post("/login/", {"username": username, "password": prepared["password"]})
        if response.status_code != 302:
            sys.exit(f"bench: login as {username} failed ({response.status_code})")
        response = client.get("/workbench/")
        if "otp" in response.get("Location", ""):
            response = client.post(response["Location"], {"code": totp_now(prepared["totp_secret"])})
            if response.status_code != 302:
                sys.exit(f"bench: second factor for {username} failed ({response.status_code})")
        clients[role] = client

    sql = {"n": 0, "seconds": 0.0}

    def count_sql(execute, statement, params, many, context):
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            sql["n"] += 1
            sql["seconds"] += time.perf_counter() - started

    rows = [("", "bare view /healthz/", "/healthz/"), *pages(prepared)]
    measured = []
    print(f"{prepared['cases_total']:,} cases; {args.rounds} rounds per page; settings {args.settings}")
    print(f"{'page':44} {'cpu ms':>8} {'wall ms':>8} {'queries':>8} {'sql ms':>8}  status")
    with connection.execute_wrapper(count_sql):
        for role, label, path in rows:
            if args.only and args.only not in label:
                continue
            client = clients[role]
            status = client.get(path).status_code
            client.get(path)
            cpu, wall, queries, sql_ms = [], [], [], []
            profiler = cProfile.Profile() if args.profile or args.dump else None
            for _ in range(args.rounds):
                sql["n"], sql["seconds"] = 0, 0.0
                started_cpu, started_wall = time.process_time(), time.perf_counter()
                if profiler:
                    profiler.enable()
                client.get(path)
                if profiler:
                    profiler.disable()
                cpu.append((time.process_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started_wall) * 1000)
                queries.append(sql["n"])
                sql_ms.append(sql["seconds"] * 1000)
            measured.append(
                {"page": label, "status": status, "cpu": cpu, "wall": wall, "queries": queries, "sql": sql_ms}
            )
            print(
                f"{label:44} {statistics.median(cpu):8.1f} {statistics.median(wall):8.1f} "
                f"{statistics.median(queries):8.0f} {statistics.median(sql_ms):8.1f}  {status}",
                flush=True,
            )
            if profiler and args.dump:
                Path(args.dump).mkdir(parents=True, exist_ok=True)
                profiler.dump_stats(str(Path(args.dump) / (re.sub(r"\W+", "_", label).strip("_") + ".pstats")))
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.profile)
                print(out.getvalue())
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(
            json.dumps({"cases_total": prepared["cases_total"], "rounds": args.rounds, "pages": measured})
        )


if __name__ == "__main__":
    main()
