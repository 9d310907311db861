"""Faults under load: the production stack (scripts/stack.py: nginx → 2 gunicorn instances, 2 Celery
workers, 1 beat) under 16 connections for 60 s while one gunicorn instance and one Celery worker are
killed (SIGKILL) and restarted, and Redis is restarted. Then every notice the run created is counted.

    .venv/bin/python bench/faults.py                     # boots its own stack, 16 connections, 60 s
    .venv/bin/python bench/faults.py --url http://127.0.0.1:8700   # load a running stack, no faults

The run boots its own stack on --port (nginx), --port+1/+2 (gunicorn) and its own redis-server on
--port+3 (broker db 0, cache db 1; no persistence, so a restart loses every queued message: the
sweeper has to find them), over --database-url (the demo is loaded when it is empty). Notice settings
for the run: a claim or a lost message is taken back after TONGBAN_NOTICE_STUCK_SECONDS=20 (default
300), so that recovery shows within the run.

Load: 12 connections GET public pages (home, catalogue, a guide, the progress form, a static file);
4 log in as demo citizens and book an appointment (a POST that queues a notice: inbox and SMS), list
their bookings and cancel it, in a loop. Timeline: web-1 killed at 10 s, started again at 20 s;
worker-1 killed at 25 s (while it holds a task, if one comes within 5 s), started again at 33 s (each
rejoins when it answers: the load goes on meanwhile); Redis stopped at 40 s, started at 45 s; load
ends at 60 s; then at least 20 s and up to --drain seconds for every notice to be sent.

Report: requests sent and failed (each failure placed: in flight on the killed instance, during the
Redis restart, or other), nginx retries, whether the restarted instance and worker took work again,
notices created, deliveries sent once, sent twice (the delivery log, hall.selectors.notice_delivery_tally,
and the SMS gateway log: one line per SMS actually handed to the gateway), lost. Exits 1 when a notice
is lost or sent twice, or the stack is not up.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

from pages import Client, wait_up  # noqa: E402
from stack import Stack, StackError  # noqa: E402

DEMO_PASSWORD = "Tongban#2026"
CITIZENS = ["13800000001", "13800000002", "13800000003"]  # README's demo citizens
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tongban_stack_faults"


# --- a citizen's booking through the portal (also used by tests/stack/) ---------------------------


def citizen_login(host: str, port: int, mobile: str) -> Client:
    client = Client(host, port)
    client.login(mobile, DEMO_PASSWORD)
    return client


def catalogue_items(client: Client) -> list[int]:
    _, html = client.request("GET", "/items/")
    return list(dict.fromkeys(int(pk) for pk in re.findall(r'href="/items/(\d+)/"', html)))


def free_slot(client: Client, item: int, pick: int = 0) -> dict | None:
    """A bookable slot of `item` (hall, date, starts_at) on the first day that has one, or None."""
    response, html = client.request("GET", f"/items/{item}/book/")
    if response.status != 200:
        return None
    hall = re.search(r'name="hall" value="([^"]+)"', html)
    days = re.findall(r'<option value="(\d{4}-\d\d-\d\d)"', html)
    for day in days[1:]:  # from tomorrow: today's slots may be past
        _, page = client.request("GET", f"/items/{item}/book/?" + urlencode({"hall": hall.group(1), "date": day}))
        slots = re.findall(r'data-slot="(\d\d:\d\d)"(?! disabled)>', page)
        if slots:
            return {"hall": hall.group(1), "date": day, "starts_at": slots[pick % len(slots)]}
    return None


def csrf(client: Client) -> str:
    return client.cookies.get("csrftoken", "")


def book(client: Client, item: int, slot: dict) -> http.client.HTTPResponse:
    """POST the booking form; a booking made answers 302 to 我的预约 (/floor/bookings/)."""
    response, _ = client.request("POST", f"/items/{item}/book/", {"csrfmiddlewaretoken": csrf(client), **slot})
    return response


def cancel_active(client: Client) -> int:
    """Cancel every active booking on 我的预约; returns how many."""
    _, html = client.request("GET", "/floor/bookings/")
    cancelled = 0
    for pk in re.findall(r'action="/floor/bookings/(\d+)/cancel/"', html):
        response, _ = client.request("POST", f"/floor/bookings/{pk}/cancel/", {"csrfmiddlewaretoken": csrf(client)})
        cancelled += response.status == 302
    return cancelled


# --- load --------------------------------------------------------------------------------------


@dataclass
class Record:
    started: float
    ended: float
    method: str
    path: str
    status: int  # 0: no answer (connection refused, reset, timeout)


@dataclass
class Load:
    host: str
    port: int
    records: list[Record] = field(default_factory=list)
    bookings_made: int = 0
    refusals: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def timed(self, client: Client, method: str, path: str, form: dict | None = None):
        started = time.monotonic()
        try:
            response, html = client.request(method, path, form)
            status = response.status
        except (OSError, http.client.HTTPException):
            response, html, status = None, "", 0
            client.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        with self.lock:
            self.records.append(Record(started, time.monotonic(), method, path.split("?")[0], status))
        return response, html

    def reader(self, paths: list[str], offset: int) -> None:
        client = Client(self.host, self.port)
        index = offset
        while not self.stop.is_set():
            self.timed(client, "GET", paths[index % len(paths)])
            index += 1

    def citizen(self, client: Client, item: int, slot: dict) -> None:
        while not self.stop.is_set():
            response, _ = self.timed(
                client, "POST", f"/items/{item}/book/", {"csrfmiddlewaretoken": csrf(client), **slot}
            )
            location = response.headers.get("Location", "") if response is not None else ""
            if response is not None and response.status == 302 and "/floor/bookings/" in location:
                with self.lock:
                    self.bookings_made += 1
            elif response is not None and response.status == 302:  # refused: the page says why
                _, page = self.timed(client, "GET", location)
                said = re.search(r'role="alert">\s*(.*?)\s*<', page, re.S)
                with self.lock:
                    self.refusals[said.group(1) if said else "?"] += 1
            _, html = self.timed(client, "GET", "/floor/bookings/")
            for pk in re.findall(r'action="/floor/bookings/(\d+)/cancel/"', html):
                self.timed(client, "POST", f"/floor/bookings/{pk}/cancel/", {"csrfmiddlewaretoken": csrf(client)})


# --- the stack's own redis-server ----------------------------------------------------------------


class Redis:
    def __init__(self, port: int, folder: Path):
        self.port, self.folder = port, folder
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        log = open(self.folder / "redis.log", "a")  # noqa: SIM115 - lives as long as the server
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.folder)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        import redis

        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return
            except redis.RedisError:
                time.sleep(0.1)
        raise StackError(f"redis-server did not start on 127.0.0.1:{self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def kill_mid_task(stack: Stack, name: str, patience: float = 5) -> None:
    """SIGKILL the worker while it holds a task (received, not finished), waiting up to `patience` s for one."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        text = stack.services[name].log.read_text(errors="replace")
        received = set(re.findall(r"Task [\w.]+\[([0-9a-f-]+)\] received", text))
        finished = set(re.findall(r"Task [\w.]+\[([0-9a-f-]+)\] (?:succeeded|retry|raised)", text))
        if received - finished:
            break
        time.sleep(0.05)
    stack.kill(name)


# --- counting ------------------------------------------------------------------------------------


def sms_gateway_counts(stack: Stack) -> Counter:
    """SMS handed to the gateway per idempotency key, from the workers' logs (LogSmsBackend)."""
    sends: Counter = Counter()
    for name in ("worker-1", "worker-2"):
        text = stack.services[name].log.read_text(errors="replace")
        for key in re.findall(r"SMS to \d{3}\*\*\*\d{4} \((tongban-notice-\d+-sms)\)", text):
            sends[key] += 1
    return sends


def tally(since_iso: str) -> dict:
    """Notices of the run and the delivery log's figures (a Django process on the stack's settings)."""
    import django

    django.setup()
    from django.utils.dateparse import parse_datetime

    from hall.models import Notice
    from hall.selectors import notice_delivery_tally

    since = parse_datetime(since_iso)
    ids = list(Notice.objects.filter(created_at__gte=since, kind="booking_created").values_list("pk", flat=True))
    figures = notice_delivery_tally(notice_ids=ids)
    sms = notice_delivery_tally(notice_ids=ids, channel="sms")
    return {"notices": len(ids), "ids": ids, "all": figures.__dict__, "sms": sms.__dict__}


def unsent(stack: Stack, since_iso: str) -> int:
    import psycopg2

    parts = urlparse(stack.database_url)
    connection = psycopg2.connect(
        dbname=parts.path.lstrip("/"), user=parts.username or "postgres", host=parts.hostname, port=parts.port or 5432
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM hall_noticedelivery d JOIN hall_notice n ON n.id = d.notice_id "
                "WHERE n.created_at >= %s AND n.kind = 'booking_created' AND d.status <> 'sent'",
                [since_iso],
            )
            return cursor.fetchone()[0]
    finally:
        connection.close()


def redis_outage_notices(stack: Stack, load: Load, events: dict) -> dict:
    """Notices created while Redis was down, and how long after it came back the last one was sent."""
    if "stop redis (wall)" not in events:
        return {}
    from datetime import UTC, datetime

    import psycopg2

    down = datetime.fromtimestamp(events["stop redis (wall)"], tz=UTC)
    back = datetime.fromtimestamp(events["start redis (wall)"], tz=UTC)
    parts = urlparse(stack.database_url)
    connection = psycopg2.connect(
        dbname=parts.path.lstrip("/"), user=parts.username or "postgres", host=parts.hostname, port=parts.port or 5432
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(DISTINCT n.id), max(d.sent_at) FROM hall_notice n JOIN hall_noticedelivery d "
                "ON d.notice_id = n.id WHERE n.kind = 'booking_created' AND n.created_at BETWEEN %s AND %s",
                [down, back],
            )
            created, last_sent = cursor.fetchone()
    finally:
        connection.close()
    return {
        "redis_down_seconds": round(events["start redis done"] - events["stop redis"], 1),
        "notices_created_while_redis_down": created,
        "their_last_sent_seconds_after_redis_back": round((last_sent - back).total_seconds(), 1) if last_sent else None,
    }


def nginx_lines(stack: Stack, since_epoch: float) -> list[dict]:
    rows = []
    path = stack.logs / "nginx-access.log"
    for line in path.read_text(errors="replace").splitlines() if path.exists() else []:
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if row.get("msec", 0) >= since_epoch:
            rows.append(row)
    return rows


# --- the run -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="", help="load a stack already running (no faults, no counts)")
    parser.add_argument("--port", type=int, default=8750)
    parser.add_argument("--database-url", default=os.environ.get("FAULTS_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--citizens", type=int, default=4, help="of the connections, how many book")
    parser.add_argument("--drain", type=int, default=120, help="seconds to wait for every notice to be sent")
    parser.add_argument("--json", default="", help="write the figures to this file too")
    args = parser.parse_args()
    name = urlparse(args.database_url).path.lstrip("/")
    if name == "tongban" or name.startswith("tongban_bench"):
        sys.exit(f"faults: refusing the database {name!r}: it is shared (name a database of the fault run's own)")

    if args.url:
        parts = urlparse(args.url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        if not wait_up(host, port, 3):
            sys.exit(f"faults: the stack at {args.url} is not up (no answer from /healthz/): start it with make stack")
        load = run_load(host, port, args, faults=None)
        summary = summarise_requests(load, {})
        print(json.dumps(summary, indent=1, ensure_ascii=False))
        sys.exit(1 if summary["failed"] else 0)

    var_dir = ROOT / "var" / "faults"
    redis = Redis(args.port + 3, var_dir / "redis")
    stack = Stack(
        port=args.port,
        database_url=args.database_url,
        broker_url=f"redis://127.0.0.1:{args.port + 3}/0",
        cache_url=f"redis://127.0.0.1:{args.port + 3}/1",
        var_dir=var_dir,
        extra_env={"TONGBAN_NOTICE_STUCK_SECONDS": "20", "DJANGO_LOG_LEVEL": "INFO"},
    )
    for service_log in (var_dir / "logs").glob("*.log"):
        service_log.unlink()
    summary: dict = {}
    try:
        redis.start()
        stack.prepare()
        stack.start()
        if not wait_up("127.0.0.1", args.port, 5):
            sys.exit(f"faults: the stack at {stack.url} is not up (no answer from /healthz/ through nginx)")
        print(f"faults: stack up at {stack.url}; {args.connections} connections for {args.seconds} s", flush=True)
        events: dict[str, float] = {}
        load = run_load("127.0.0.1", args.port, args, faults=(stack, redis, events))
        summary = summarise_requests(load, events)
        summary.update(count_notices(stack, load, events, args.drain))
        print(json.dumps({k: v for k, v in summary.items() if k != "ids"}, indent=1, ensure_ascii=False))
        if args.json:
            Path(args.json).write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    except StackError as exc:
        sys.exit(f"faults: {exc}")
    finally:
        stack.stop()
        redis.stop()
    bad = not summary or summary["notices_lost"] or summary["sent_twice_log"] or summary["sms_sent_twice_gateway"]
    sys.exit(1 if bad else 0)


def run_load(host: str, port: int, args, faults) -> Load:
    load = Load(host, port)
    anonymous = Client(host, port)
    items = catalogue_items(anonymous)
    _, home = anonymous.request("GET", "/")
    static = re.search(r'href="(/static/[^"]+\.css)"', home)
    paths = ["/", "/items/", f"/items/{items[0]}/" if items else "/items/", "/cases/progress/", "/healthz/"]
    if static:
        paths.append(static.group(1))
    threads = []
    citizens = min(args.citizens, args.connections)
    for index in range(citizens):
        client = citizen_login(host, port, CITIZENS[index % len(CITIZENS)])
        cancel_active(client)
        item, slot = None, None
        for candidate in items[index:] + items[:index]:
            slot = free_slot(client, candidate, pick=index)
            if slot:
                item = candidate
                break
        if slot is None:
            print(f"faults: no bookable slot for citizen {index + 1}; it only reads pages", file=sys.stderr)
            threads.append(threading.Thread(target=load.reader, args=(paths, index)))
            continue
        threads.append(threading.Thread(target=load.citizen, args=(client, item, slot)))
    for index in range(args.connections - citizens):
        threads.append(threading.Thread(target=load.reader, args=(paths, index)))
    load.started_wall = time.time()
    load.started = time.monotonic()
    for thread in threads:
        thread.start()
    restarts: list[threading.Thread] = []
    if faults:
        stack, redis, events = faults

        def restart(name: str):
            """Start the service again now; wait for it to answer in the background (the load goes on)."""
            stack.launch(name)

            def wait():
                try:
                    stack.wait_ready(name, 180)
                    events[f"{name} ready"] = time.monotonic()
                except StackError as exc:
                    print(f"faults: {exc}", file=sys.stderr)

            restarts.append(threading.Thread(target=wait))
            restarts[-1].start()

        plan = [
            (10, "kill web-1", lambda: stack.kill("web-1")),
            (20, "restart web-1", lambda: restart("web-1")),
            (25, "kill worker-1", lambda: kill_mid_task(stack, "worker-1")),
            (33, "restart worker-1", lambda: restart("worker-1")),
            (40, "stop redis", redis.stop),
            (45, "start redis", redis.start),
        ]
        scale = args.seconds / 60
        for at, label, action in plan:
            delay = load.started + at * scale - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            events[label] = time.monotonic()
            events[label + " (wall)"] = time.time()
            action()
            events[label + " done"] = time.monotonic()
            print(f"faults: {label} at {time.monotonic() - load.started:5.1f} s", flush=True)
    remaining = load.started + args.seconds - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)
    load.stop.set()
    for thread in threads:
        thread.join(60)
    load.ended = time.monotonic()
    for thread in restarts:
        thread.join(180)
    if faults:
        for name in ("web-1", "worker-1"):
            if f"{name} ready" in events:
                print(f"faults: {name} answering again at {events[f'{name} ready'] - load.started:5.1f} s", flush=True)
    return load


def summarise_requests(load: Load, events: dict) -> dict:
    failed = [r for r in load.records if r.status == 0 or r.status >= 500]
    kill = events.get("kill web-1")
    redis_down, redis_up = events.get("stop redis"), events.get("start redis done")
    places: Counter = Counter()
    for record in failed:
        if kill is not None and record.started <= kill + 0.05 and record.ended >= kill - 0.05:
            places[f"in flight on web-1 when killed ({record.method})"] += 1
        elif redis_down is not None and record.ended >= redis_down and record.started <= (redis_up or redis_down) + 1:
            places[f"during the Redis restart ({record.method} {record.status or 'no answer'})"] += 1
        else:
            places[f"other ({record.method} {record.path} {record.status or 'no answer'})"] += 1
    seconds = load.ended - load.started
    return {
        "seconds": round(seconds, 1),
        "requests": len(load.records),
        "gets": sum(r.method == "GET" for r in load.records),
        "posts": sum(r.method == "POST" for r in load.records),
        "rps": round(len(load.records) / seconds, 1),
        "failed": len(failed),
        "failed_where": dict(places),
        "bookings_made": load.bookings_made,
        "bookings_refused": dict(load.refusals),
    }


def count_notices(stack: Stack, load: Load, events: dict, drain: int) -> dict:
    """Wait for every notice of the run to be sent (up to `drain` s), then count through the delivery log."""
    from datetime import UTC, datetime

    since = datetime.fromtimestamp(load.started_wall - 1, tz=UTC).isoformat()
    waited_from = time.monotonic()
    left, all_sent_after = unsent(stack, since), None
    while (left or time.monotonic() - waited_from < 20) and time.monotonic() - waited_from < drain:
        if not left and all_sent_after is None:
            all_sent_after = round(time.monotonic() - waited_from, 1)
        time.sleep(2)
        left = unsent(stack, since)
    if not left and all_sent_after is None:
        all_sent_after = round(time.monotonic() - waited_from, 1)
    outage = redis_outage_notices(stack, load, events)
    for key, value in stack.env().items():
        if key in ("DATABASE_URL", "TONGBAN_DATA_KEY_FILE", "TONGBAN_DATA_KEYS", "TONGBAN_VAR_DIR", "CACHE_URL"):
            os.environ[key] = value
    os.environ["CELERY_BROKER_URL"] = stack.broker_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "hall.settings"
    figures = tally(since)
    sms = sms_gateway_counts(stack)
    run_keys = {f"tongban-notice-{pk}-sms" for pk in figures["ids"]}
    gateway = Counter({key: count for key, count in sms.items() if key in run_keys})
    rows = nginx_lines(stack, load.started_wall)
    web1 = f"127.0.0.1:{stack.web_ports[0]}"
    restart_wall = events.get("web-1 ready", 0) - load.started + load.started_wall if events else 0
    worker_log = stack.services["worker-1"].log.read_text(errors="replace") if events else ""
    before_kill, _, after_restart = worker_log.partition("--- start 2")
    received = set(re.findall(r"Task [\w.]+\[([0-9a-f-]+)\] received", before_kill))
    finished = set(re.findall(r"Task [\w.]+\[([0-9a-f-]+)\] (?:succeeded|retry|raised)", before_kill))
    return {
        "all_sent_seconds_after_load": all_sent_after,
        **outage,
        "notices_created": figures["notices"],
        "deliveries": figures["all"]["deliveries"],
        "deliveries_sent": figures["all"]["sent"],
        "notices_lost": figures["all"]["lost"],
        "sent_once_log": figures["all"]["sent"] - figures["all"]["sent_twice"],
        "sent_twice_log": figures["all"]["sent_twice"],
        "duplicates_suppressed_by_key": figures["all"]["duplicates_suppressed"],
        "sms_handed_to_gateway": sum(gateway.values()),
        "sms_sent_twice_gateway": sum(1 for count in gateway.values() if count > 1),
        "nginx_requests": len(rows),
        "nginx_retried_on_other_instance": sum(", " in r.get("upstream_addr", "") for r in rows),
        "nginx_5xx": dict(
            Counter(
                f"{r['method']} {r['status']} from {r.get('upstream_addr') or '-'}" for r in rows if r["status"] >= 500
            )
        ),
        "web1_answers_after_restart": sum(
            r.get("upstream_addr", "").endswith(web1) and r.get("msec", 0) > restart_wall for r in rows
        )
        if events
        else None,
        "worker1_tasks_unfinished_when_killed": len(received - finished) if events else None,
        "worker1_tasks_after_restart": len(re.findall(r"succeeded in", after_restart)) if events else None,
        "ids": figures["ids"],
    }


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    main()
