"""The CPU each page costs inside one web process, on the production settings: load-independent where
bench/pages.py's wall-clock figures are not (the machine may be shared).

    .venv/bin/python bench/cpu.py --database-url postgres://postgres@127.0.0.1:5432/tongban_bench_10k
    .venv/bin/python bench/cpu.py --database-url … --only "approver queue" --profile 30

Each page of bench/pages.py is requested in-process through Django's test client as its role (logged in
through the login form and the second factor), warmed up, then requested --rounds times; printed per page:
the median process CPU (time.process_time: Python's work, the database's own CPU not included), the
median wall time, the number of SQL queries and the time spent waiting for them. --profile N prints the
N functions with the most cumulative time (cProfile) of each page after the figures. --json FILE keeps
every request's figures too, for bench/growth_table.py (growth from 10k to 1M per request).

Times still move with the machine (the same page's median, run to run, by 30 % and more on shared cores).
Two figures do not, and say whether a page's work grows with the data:
- --database: the database's own work for one request: each SELECT of one request run again 5 times
  under EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) in a transaction rolled back; printed: its time (planning
  and execution, the fastest of the 5, summed over the SELECTs) and the 8 kB buffers the SELECTs touch.
  A buffer touched again counts again: an index-only scan that visits heap pages in another order checks
  the visibility map once per page it moves to, so on a large table the buffers can grow where the time
  does not;
- --instructions N: the machine instructions the web process spends on each of N requests per page,
  counted by valgrind's callgrind (apt-get install valgrind; about 50× slower): the script runs itself
  under callgrind, which dumps its counts at each os.getsid() the loop calls between two requests.
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
import shutil
import statistics
import subprocess
import sys
import tempfile
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
    parser.add_argument("--database", action="store_true", help="the database's own time and buffers per request")
    parser.add_argument("--instructions", type=int, default=0, help="count instructions of N requests per page")
    args = parser.parse_args()
    if args.instructions and not os.environ.get(CALLGRIND_DIR):
        sys.exit(under_callgrind(args))
    counting = bool(os.environ.get(CALLGRIND_DIR))
    if counting:
        args.rounds, args.profile, args.dump = args.instructions, 0, ""

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
    marks = Marks()
    print(f"{prepared['cases_total']:,} cases; {args.rounds} rounds per page; settings {args.settings}")
    print(f"{'page':44} {'cpu ms':>8} {'wall ms':>8} {'queries':>8} {'sql ms':>8}  status")
    with connection.execute_wrapper(count_sql):
        for role, label, path in rows:
            if args.only and args.only not in label:
                continue
            client = clients[role]
            status = client.get(path).status_code
            client.get(path)
            cpu, wall, queries, sql_ms, dumps = [], [], [], [], []
            profiler = cProfile.Profile() if args.profile or args.dump else None
            if counting:
                marks.mark()  # callgrind's counts start afresh here: the next dump is the first request's
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
                if counting:
                    dumps.append(marks.mark())
                queries.append(sql["n"])
                sql_ms.append(sql["seconds"] * 1000)
            figures = {"page": label, "status": status, "cpu": cpu, "wall": wall, "queries": queries, "sql": sql_ms}
            if counting:  # times under callgrind say nothing
                figures.update(cpu=[], wall=[], sql=[], dumps=dumps)
            if args.database:
                figures.update(database_work(client, path))
            measured.append(figures)
            print(
                f"{label:44} {statistics.median(cpu):8.1f} {statistics.median(wall):8.1f} "
                f"{statistics.median(queries):8.0f} {statistics.median(sql_ms):8.1f}  {status}"
                + (
                    f"  database {figures['db_ms']:.2f} ms, {figures['buffers']:,} buffers; {figures['bytes']:,} bytes"
                    if args.database
                    else ""
                ),
                flush=True,
            )
            if profiler and args.dump:
                Path(args.dump).mkdir(parents=True, exist_ok=True)
                profiler.dump_stats(str(Path(args.dump) / (re.sub(r"\W+", "_", label).strip("_") + ".pstats")))
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.profile)
                print(out.getvalue())
    if counting:
        marks.check()
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(
            json.dumps({"cases_total": prepared["cases_total"], "rounds": args.rounds, "pages": measured})
        )


CALLGRIND_DIR = "BENCH_CALLGRIND_DIR"


class Marks:
    """The calls of os.getsid() that make callgrind dump its counts (--dump-before=getsid): dump file k
    holds what ran since the call before the k-th, so the mark after a request names its dump."""

    def __init__(self):
        self.calls = 0

    def mark(self) -> int:
        os.getsid(0)
        self.calls += 1
        return self.calls

    def check(self):
        made = len(list(Path(os.environ[CALLGRIND_DIR]).glob("cg.out.*")))
        if made != self.calls:
            sys.exit(f"bench: callgrind dumped {made} times for {self.calls} marks: something else calls getsid()")


def under_callgrind(args) -> str | None:
    """Run this script again under callgrind, then put the instructions of each request into its figures
    (printed, and in --json). Returns the exit message, None when all went well."""
    if not shutil.which("valgrind"):
        return "bench: --instructions needs valgrind (apt-get install valgrind)"
    folder = Path(tempfile.mkdtemp(prefix="bench-callgrind-"))
    out = Path(args.json) if args.json else folder / "figures.json"
    command = ["valgrind", "--tool=callgrind", "--dump-before=getsid", "--dump-instr=no", "--dump-line=no"]
    command += [f"--callgrind-out-file={folder / 'cg.out'}", "--log-file=" + str(folder / "valgrind.log")]
    # The run writes its figures to `out`: a --json given last is the one argparse keeps.
    command += [sys.executable, __file__, *sys.argv[1:], "--json", str(out)]
    env = {**os.environ, CALLGRIND_DIR: str(folder), "PYTHONHASHSEED": "0"}
    if subprocess.run(command, env=env).returncode != 0:
        return f"bench: the run under callgrind failed (see {folder / 'valgrind.log'})"
    data = json.loads(out.read_text())
    print(f"\n{'page':44} {'M instructions per request (median of ' + str(args.instructions) + ')':>50}")
    for figures in data["pages"]:
        figures["instructions"] = [_instructions(folder / f"cg.out.{k}") for k in figures.pop("dumps")]
        print(f"{figures['page']:44} {statistics.median(figures['instructions']) / 1e6:12.1f}")
    if args.json:
        out.write_text(json.dumps(data))
    shutil.rmtree(folder)
    return None


def _instructions(dump: Path) -> int:
    """The instruction count (Ir) callgrind wrote in a dump's "totals:" line."""
    for line in dump.read_text(errors="replace").splitlines():
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    raise SystemExit(f"bench: no totals in {dump}")


def database_work(client, path: str, runs: int = 5) -> dict:
    """The database's own work for one request of the page: `db_ms`, the planning and execution time of
    its SELECTs (each the fastest of `runs`), `buffers`, the 8 kB buffers (shared hit + read) they touch,
    and `bytes`, the page's size. Each SELECT runs again under EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) in
    a transaction that is rolled back; writes (the access records a case page adds) are not counted."""
    from django.db import connection, transaction  # noqa: PLC0415

    statements = []

    def capture(execute, statement, params, many, context):
        statements.append((statement, params, many))
        return execute(statement, params, many, context)

    with connection.execute_wrapper(capture):
        size = len(client.get(path).content)
    touched, ms = 0, 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        for statement, params, many in statements:
            if many or not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            fastest = None
            for _ in range(runs):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) " + statement, params)
                plan = cursor.fetchone()[0]
                found = (json.loads(plan) if isinstance(plan, str) else plan)[0]
                took = found.get("Planning Time", 0.0) + found["Execution Time"]
                fastest = took if fastest is None else min(fastest, took)
            node = found["Plan"]
            touched += node.get("Shared Hit Blocks", 0) + node.get("Shared Read Blocks", 0)
            ms += fastest
        transaction.set_rollback(True)
    return {"db_ms": ms, "buffers": touched, "bytes": size}


if __name__ == "__main__":
    main()
