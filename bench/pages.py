"""Every list and detail page of each role, and the anonymous pages, under load next to a bare view, on
the production settings (issue "A city's volume", demands 3 and 4).

    .venv/bin/python manage.py generate_cases --cases 1000000 --per-day 913 \\
        --database-url postgres://postgres@127.0.0.1:5432/tongban_bench_1m
    .venv/bin/python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/tongban_bench_1m
    .venv/bin/python bench/pages.py --url http://127.0.0.1:8000 …   # a stack already running (e.g. make stack)

Steps:
1. choose the accounts and cases (bench/pages_prepare.py on the bench database: the 江城 window clerk,
   approver and supervisor of the demo, the citizen and the enterprise agent with the most cases);
2. start gunicorn on 127.0.0.1 (3 sync workers, hall.settings.production, DEBUG off) unless --url is
   given; exit non-zero with a message when the stack does not answer;
3. log each role in through the login form (and the second factor for staff, with the demo TOTP secret);
4. check each page answers 200 once, then load it for --seconds at each of --connections with wrk
   (apt-get install wrk; without it a Python loop of kept-alive connections), the bare view
   /healthz/ in the same run at the same connections;
5. print one row per page and connections: rps, p50, p95, p99 (ms), errors, rps ÷ bare view (for the
   anonymous pages at 16 connections, the mean of the bare view measured just before and just after
   the page), the target
   the row is held to and whether it met it; then the load average during the run and the workers'
   RSS. Exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %.3f %.3f %.3f\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def production_env(database_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hall.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "TONGBAN_DATA_KEY_FILE": os.environ.get("TONGBAN_DATA_KEY_FILE", str(ROOT / "var" / "keys" / "data-keys.json")),
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/7"),
        # The shared cache of a production stack (page caches, sessions), as docs/deploy.md runs it.
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/9"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def prepare(database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "hall.settings"}
    done = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "pages_prepare.py")], cwd=ROOT, env=env, capture_output=True, text=True
    )
    for line in done.stdout.splitlines():
        if line.startswith("PREPARED "):
            return json.loads(line[len("PREPARED ") :])
    sys.exit(f"bench: could not prepare the accounts on {database_url}:\n{done.stderr[-2000:]}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    log = open(ROOT / "var" / "bench-pages-gunicorn.log", "w")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(
        [GUNICORN, "hall.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
        + ["--keep-alive", "30", "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    if not wait_up("127.0.0.1", port, 40, process):
        process.terminate()
        sys.exit(f"bench: gunicorn did not answer on 127.0.0.1:{port}: see {log.name}")
    return process


def wait_up(host: str, port: int, seconds: float, process=None) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection(host, port, timeout=2)
            connection.request("GET", "/healthz/")
            if connection.getresponse().status == 200:
                return True
        except OSError:
            pass
        if process is not None and process.poll() is not None:
            return False
        time.sleep(0.3)
    return False


class Client:
    """One kept-alive connection with a browser's cookies."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.totp_secret = DEMO_TOTP_SECRET

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Accept-Language": "zh-CN", "Host": f"{self.host}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response, content.decode("utf-8", "replace")

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _post_form(self, path: str, fields: dict):
        _, html = self.request("GET", path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if token is None:
            sys.exit(f"bench: no form at {path}")
        return self.request("POST", path, {"csrfmiddlewaretoken": token.group(1), **fields})

    def login(self, username: str, password: str) -> None:
        response, _ = self._post_form("/login/", {"username": username, "password": password})
        location = response.headers.get("Location", "")
        if response.status != 302:
            sys.exit(f"bench: login as {username} failed ({response.status})")
        if "otp" not in location:  # staff are sent to the second factor by the next page they open
            response, _ = self.request("GET", urlparse(location).path or "/workbench/")
            location = response.headers.get("Location", "") if response.status == 302 else ""
        if "otp" in location:  # staff: the second factor, with the demo TOTP secret
            code = totp_now(self.totp_secret)
            path = urlparse(location).path + ("?" + urlparse(location).query if urlparse(location).query else "")
            response, _ = self._post_form(path, {"code": code})
            if response.status != 302:
                sys.exit(f"bench: second factor for {username} failed ({response.status})")


def totp_now(secret: str) -> str:
    """RFC 6238 TOTP (SHA-1, 30 s, 6 digits), as the authenticator app shows it."""
    import hashlib
    import hmac
    import struct

    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def measure_wrk(url: str, cookie: str, connections: int, seconds: int, script: str) -> dict:
    command = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s", "-s", script]
    command += ["-H", "Accept-Language: zh-CN", "--timeout", "30s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    done = subprocess.run([*command, url], capture_output=True, text=True)
    match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", done.stdout)
    if match is None:
        sys.exit(f"bench: wrk failed on {url}: {done.stdout[-500:]} {done.stderr[-500:]}")
    requests, duration_us, socket_errors, status_errors = (int(match.group(i)) for i in range(1, 5))
    return {
        "rps": requests / (duration_us / 1e6),
        "p50": float(match.group(5)),
        "p95": float(match.group(6)),
        "p99": float(match.group(7)),
        "errors": socket_errors + status_errors,
        "requests": requests,
    }


def measure_python(host: str, port: int, path: str, cookie: str, connections: int, seconds: int) -> dict:
    """The same measure without wrk: `connections` threads, each one kept-alive connection."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def loop():
        connection = http.client.HTTPConnection(host, port, timeout=30)
        headers = {"Accept-Language": "zh-CN", **({"Cookie": cookie} if cookie else {})}
        mine = []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status < 400
            except OSError:
                ok = False
                connection = http.client.HTTPConnection(host, port, timeout=30)
            mine.append(time.perf_counter() - started)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=loop) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1000 if latencies else 0.0

    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p95": pct(95),
        "p99": pct(99),
        "errors": errors[0],
        "requests": len(latencies),
    }


def drain(host: str, port: int, seconds: float = 120) -> None:
    """Wait until the server has worked off what the last measure left queued (wrk closes its
    connections at the end, the workers still answer them): the next page is measured on an idle server."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection(host, port, timeout=seconds)
            connection.request("GET", "/healthz/")
            connection.getresponse().read()
        except OSError:
            pass
        if time.perf_counter() - started < 0.05:
            return
        time.sleep(0.2)


def worker_rss(master_pid: int | None) -> list[int]:
    """RSS in MB of the gunicorn workers (the master's children)."""
    if master_pid is None:
        return []
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master_pid}$", text, re.M):
            rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
            if rss:
                sizes.append(int(rss.group(1)) // 1024)
    return sorted(sizes)


def pages(prepared: dict) -> list[tuple[str, str, str]]:
    """(role, page label, path) — every list and detail page of each role, then the anonymous pages.
    A detail page whose object the data lacks (no hand-off, order or ticket at that hall) is left out."""
    cases, item = prepared["cases"], prepared["item"]
    rows = [
        ("clerk", "clerk workbench /cases/desk/", "/cases/desk/"),
        ("clerk", "clerk workbench, oldest first p.2", "/cases/desk/?page=2"),
        ("clerk", "clerk case review", f"/cases/{cases['clerk']}/review/"),
        ("clerk", "clerk hand-offs /cases/handoffs/", "/cases/handoffs/"),
        ("clerk", "clerk hand-off case", f"/cases/{cases.get('handoff')}/handoff/"),
        ("clerk", "clerk floor desk /floor/desk/", "/floor/desk/"),
        ("clerk", "clerk inbox", "/inbox/"),
        ("approver", "approver queue /cases/approvals/", "/cases/approvals/"),
        ("approver", "approver decide page", f"/cases/{cases['approver']}/decide/"),
        ("approver", "approver production /results/production/", "/results/production/"),
        ("approver", "approver commitment checks", "/cases/commitment-checks/"),
        ("result", "result window /results/", "/results/"),
        ("result", "result window, to post", "/results/?tab=post"),
        ("result", "result window, to receive", "/results/?tab=receive"),
        ("result", "result window, to archive", "/results/?tab=archive"),
        ("result", "result order page", f"/results/orders/{cases.get('order')}/"),
        ("result", "result hand-offs /cases/handoffs/", "/cases/handoffs/"),
        ("head", "agency head extensions", "/cases/extensions/"),
        ("archivist", "archive /archive/", "/archive/"),
        ("supervisor", "supervision /cases/supervision/", "/cases/supervision/"),
        ("supervisor", "supervision, red", "/cases/supervision/?level=red"),
        ("supervisor", "supervisor case page", f"/cases/{cases['supervisor']}/"),
        ("supervisor", "supervisor hand-off figures", "/cases/handoffs/figures/"),
        ("supervisor", "supervisor ratings /ratings/supervision/", "/ratings/supervision/"),
        ("supervisor", "supervisor rating tickets", "/ratings/tickets/"),
        ("supervisor", "supervisor rating ticket", f"/ratings/tickets/{cases.get('ticket')}/"),
        ("supervisor", "supervisor assessment", "/ratings/assessment/"),
        ("supervisor", "supervisor access records", "/security/access/"),
        ("citizen", "citizen 我的办事", "/workbench/"),
        ("citizen", "citizen case page", f"/cases/{cases['citizen']}/"),
        ("citizen", "citizen certificates", "/certificates/"),
        ("citizen", "citizen bookings", "/floor/bookings/"),
        ("citizen", "citizen inbox", "/inbox/"),
        ("agent", "enterprise agent 我的办事", "/workbench/"),
        ("agent", "enterprise case page", f"/cases/{cases['agent']}/"),
        ("", "anonymous home", "/"),
        ("", "catalogue", "/items/"),
        ("", "catalogue search", "/items/?q=%E8%90%A5%E4%B8%9A"),
        ("", "guide", f"/items/{item}/"),
        ("", "guide PDF", f"/items/{item}/guide.pdf"),
        ("", "bundles", "/items/bundles/"),
        ("", "ratings figures (public)", "/ratings/"),
        ("", "progress lookup form", "/cases/progress/"),
        ("", "login page", "/login/"),
        ("", "registration page", "/register/"),
        ("", "hall calling screen", "/floor/JC/screen/"),
    ]
    if prepared.get("document_token"):
        rows.append(("", "document verification", f"/verify/{prepared['document_token']}/"))
    return [row for row in rows if "/None/" not in row[2]]


# The anonymous pages held to 0.8 of the bare view's throughput (the others: 0.5).
PUBLIC_PAGES = {"anonymous home", "catalogue", "catalogue search", "guide", "guide PDF"}


def target_verdict(role: str, label: str, connections: int, row: dict) -> str:
    """The target a row is held to and whether it met it: a logged-in page's p95 (< 100 ms at one
    connection, < 400 ms at 16); an anonymous page's throughput at 16 connections against the bare view
    (≥ 0.8 for the public pages, ≥ 0.5 for the others)."""
    if label.startswith("bare view"):
        return ""
    if role:
        limit = 100 if connections == 1 else 400
        return f"{'met' if row['p95'] < limit else 'MISSED'} (p95 < {limit} ms)"
    if connections < 16:
        return ""
    floor = 0.8 if label in PUBLIC_PAGES else 0.5
    return f"{'met' if row['ratio'] >= floor else 'MISSED'} (ratio ≥ {floor})"


def bench_database_refusal(url: str) -> str:
    """Why bench/ cannot run on `url` (not a bench database, not there, or empty), or ""."""
    if not url or "tongban_bench" not in url:
        return "bench: --database-url must name a bench database (postgres://…/tongban_bench_…)"
    import psycopg2

    parts = urlparse(url)
    try:
        connection = psycopg2.connect(
            dbname=parts.path.lstrip("/"),
            user=parts.username or "postgres",
            password=parts.password,
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            connect_timeout=5,
        )
    except psycopg2.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "no answer"
        return (
            f"bench: cannot open the database {parts.path.lstrip('/')!r} ({first}); generate it first: "
            "manage.py generate_cases --database-url …"
        )
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('cases_case') IS NOT NULL")
        ready = cursor.fetchone()[0]
        count = 0
        if ready:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM cases_case)")
            count = cursor.fetchone()[0]
    connection.close()
    if not ready or not count:
        return f"bench: the database {parts.path.lstrip('/')!r} holds no cases; generate it first (generate_cases)"
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--url", default="", help="a stack already running (else gunicorn is started here)")
    parser.add_argument("--port", type=int, default=0, help="the port gunicorn listens on (default: any free one)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", default="1,16")
    parser.add_argument("--only", default="", help="substring of the page labels to run")
    parser.add_argument("--json", default="", help="write the rows to this file too")
    args = parser.parse_args()
    levels = [int(c) for c in args.connections.split(",")]

    process = None
    if args.url:
        parts = urlparse(args.url)
        host, port = parts.hostname, parts.port or 80
        if not wait_up(host, port, 3):
            sys.exit(f"bench: the stack at {args.url} is not up (no answer from /healthz/)")
    refusal = bench_database_refusal(args.database_url)
    if refusal:
        sys.exit(refusal)
    prepared = prepare(args.database_url)
    if not args.url:
        host, port = "127.0.0.1", args.port or free_port()
        env = production_env(args.database_url)
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        process = start_gunicorn(env, port, args.workers)
    use_wrk = shutil.which("wrk") is not None
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
    script.write(WRK_REPORT)
    script.close()
    print(
        f"{prepared['cases_total']:,} cases; citizen with {prepared['citizen_cases']} cases; "
        f"{'wrk' if use_wrk else 'python loop'}; {args.seconds} s per measure; http://{host}:{port}"
    )

    try:
        cookies = {"": ""}
        for role, username in prepared["accounts"].items():
            client = Client(host, port)
            client.totp_secret = prepared.get("totp_secret") or DEMO_TOTP_SECRET
            client.login(username, prepared["password"])
            cookies[role] = client.cookie_header()
        rows, failed = [], 0
        selected = [p for p in pages(prepared) if args.only in p[1]]
        for role, label, path in selected:  # each page answers 200 once before it is loaded
            client = Client(host, port)
            client.cookies = dict(kv.split("=", 1) for kv in cookies[role].split("; ") if kv)
            started = time.perf_counter()
            try:
                response, _ = client.request("GET", path)
            except OSError as error:
                print(f"  {label}: {path} did not answer ({error!r})", file=sys.stderr, flush=True)
                failed += 1
                continue
            if response.status != 200:
                print(f"  {label}: {path} answered {response.status}", file=sys.stderr)
                failed += 1
            elif time.perf_counter() - started > 5:
                print(f"  {label}: {path} took {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        loadavg = [os.getloadavg()[0]]
        for c in levels:
            bare = None

            def measure(path, cookie, c=c):
                if use_wrk:
                    return measure_wrk(f"http://{host}:{port}{path}", cookie, c, args.seconds, script.name)
                return measure_python(host, port, path, cookie, c, args.seconds)

            for role, label, path in [("", "bare view /healthz/", "/healthz/"), *selected]:
                cookie = cookies[role]
                reference = None
                if not role and bare is not None and c >= 16:
                    # The bare view again just before and just after each anonymous page held to a
                    # ratio, and their mean: the machine's speed moves during a run (other processes,
                    # the CPU's clock), and the ratio compares like with like.
                    reference = measure("/healthz/", "")["rps"]
                    drain(host, port)
                result = measure(path, cookie)
                loadavg.append(os.getloadavg()[0])
                drain(host, port)
                if reference is not None:
                    reference = (reference + measure("/healthz/", "")["rps"]) / 2
                    drain(host, port)
                if bare is None:
                    bare = result["rps"]
                against = reference or bare
                row = {
                    "page": label,
                    "role": role,
                    "c": c,
                    **result,
                    "ratio": result["rps"] / against if against else 0,
                }
                row["bare_rps"] = against
                row["target"] = target_verdict(role, label, c, row)
                rows.append(row)
                failed += result["errors"]
                print(
                    f"{label:42} c={c:<3} {row['rps']:8.1f} rps  p50 {row['p50']:8.1f}  p95 {row['p95']:8.1f}  "
                    f"p99 {row['p99']:8.1f} ms  errors {row['errors']:<4} ratio {row['ratio']:.2f}  {row['target']}",
                    flush=True,
                )
        missed = [f"{r['page']} c={r['c']}" for r in rows if r["target"].startswith("MISSED")]
        print(
            f"load average (1 min) during the run: {min(loadavg):.1f}–{max(loadavg):.1f}; "
            f"targets missed: {len(missed)}" + (f" ({'; '.join(missed)})" if missed else "")
        )
        rss = worker_rss(process.pid if process else None)
        if rss:
            print(f"worker RSS: {', '.join(f'{mb} MB' for mb in rss)}")
        if args.json:
            Path(args.json).write_text(
                json.dumps({"prepared": prepared, "rows": rows, "rss_mb": rss, "loadavg": loadavg}, indent=1)
            )
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        os.unlink(script.name)
    if failed:
        sys.exit(f"bench: {failed} failed request(s)")


if __name__ == "__main__":
    main()
