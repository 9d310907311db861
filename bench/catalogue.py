"""Throughput of the public catalogue pages against a minimal Django view, on the same gunicorn
server in the same run (goal: each page at least half the bare view's rate).

    .venv/bin/python bench/catalogue.py                    # PostgreSQL, creates tongban_bench_catalogue
    .venv/bin/python bench/catalogue.py --items 2000       # grow the catalogue to 2,000 published items
    .venv/bin/python bench/catalogue.py --seconds 5 --rounds 3
    BENCH_DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/catalogue.py   # SQLite

Steps:
1. create the database if missing (PostgreSQL), migrate, load the demo organisation and the demo
   catalogue (seed_demo, seed_catalogue), then clone published items until there are `--items`;
2. start gunicorn (gthread, keep-alive) on 127.0.0.1 on a free port, DEBUG off;
3. from one client (http.client, one kept-alive connection, cookies kept like a browser) warm
   every URL, then in each round request each URL for `--seconds` and count; the best round per
   URL is reported (least disturbed by the machine's other work);
4. print requests/s per URL and its ratio to /healthz/ (the bare view).

The "search, distinct words" line defeats the page cache on purpose (each request a new query):
it shows what a cache miss costs. The "logged-in citizen" line shows a guide for a signed-in user,
whose page is rendered around the cached body (their name, their menu). Neither is held to the
0.5 goal, which is about the public pages as anonymous visitors see them.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlparse

from benchdb import ensure_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tongban_bench_catalogue"


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def fill(env: dict, target_items: int) -> dict:
    """Seed, then clone published items (new implementation codes) until `target_items` exist.
    Returns the ids the benchmark reads: a guide, a bundle."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo")
    manage(env, "seed_catalogue")
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from items.constants import VersionState
    from items.models import Bundle, Item
    from items.search import fill_search_fields
    from items.services import version_copy

    sources = list(Item.objects.filter(current_version__isnull=False).select_related("current_version", "base_item"))
    existing = Item.objects.filter(current_version__isnull=False).count()
    with transaction.atomic():
        for n in range(existing, target_items):
            source = sources[n % len(sources)]
            code = f"B{n:07d}{source.implementation_code}"[:24]
            item, created = Item.objects.get_or_create(
                implementation_code=code,
                defaults={"base_item": source.base_item, "region": source.region, "department": source.department},
            )
            if not created:
                continue
            version = version_copy(source=source.current_version, item=item)
            version.state, version.published_at = VersionState.PUBLISHED, timezone.now()
            fill_search_fields(version)
            version.save()
            item.current_version = version
            item.save(update_fields=["current_version"])
    guide = Item.objects.filter(current_version__isnull=False).order_by("pk").first()
    bundle = Bundle.objects.filter(is_published=True).order_by("pk").first()
    return {
        "items": Item.objects.filter(current_version__isnull=False).count(),
        "guide": guide.pk,
        "bundle": bundle.pk if bundle else None,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    log = open(ROOT / "var" / "bench-gunicorn.log", "w")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(
        [
            GUNICORN,
            "hall.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            "2",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {log.name}") from None
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start within 30 s")


class Client:
    """One kept-alive connection; cookies kept like a browser (csrftoken)."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.cookies: dict[str, str] = {}

    def login(self, username: str, password: str) -> None:
        """Log in through the login form, as a browser would (session cookie kept)."""
        import re
        from urllib.parse import urlencode

        html = self.get("/login/", body=True)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Referer": f"http://127.0.0.1:{self.port}/login/",
        }
        self.connection.request("POST", "/login/", body=form, headers=headers)
        response = self.connection.getresponse()
        response.read()
        self._keep_cookies(response)
        if response.status != 302:
            raise SystemExit(f"login as {username} failed: {response.status}")

    def _keep_cookies(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def get(self, path: str, body: bool = False):
        headers = {"Accept-Language": "zh-CN"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request("GET", path, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, ConnectionError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            self.connection.request("GET", path, headers=headers)
            response = self.connection.getresponse()
        content = response.read()
        self._keep_cookies(response)
        if response.status != 200:
            raise SystemExit(f"GET {path} → {response.status}")
        return content.decode() if body else response.status


def measure(client: Client, paths, seconds: float) -> float:
    """Requests per second for `paths` (a list cycled through), for about `seconds`."""
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        client.get(paths[count % len(paths)])
        count += 1
        if count % 20 == 0 and time.perf_counter() >= deadline:
            break
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1000, help="published items in the catalogue (default 1000)")
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds per URL per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    env = dict(
        os.environ,
        DATABASE_URL=url,
        CELERY_BROKER_URL="memory://",
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_CONN_MAX_AGE="600",
        TONGBAN_AXES_ENABLED="true",
    )
    (ROOT / "var").mkdir(exist_ok=True)
    data = fill(env, args.items)
    print(
        f"database: {urlparse(url).scheme}, published items: {data['items']}, "
        f"default cache: {env.get('CACHE_URL') or 'locmem'} (catalogue pages: each process's memory)"
    )

    port = free_port()
    server = start_gunicorn(env, port, args.workers)
    try:
        pages = {
            "bare view /healthz/": ["/healthz/"],
            "catalogue /items/": ["/items/"],
            "catalogue search ?q=yyzz": ["/items/?q=yyzz"],
            "catalogue filter page 2": ["/items/?audience=enterprise&page=2"],
            f"guide /items/{data['guide']}/": [f"/items/{data['guide']}/"],
        }
        if data["bundle"]:
            pages[f"bundle /items/bundles/{data['bundle']}/"] = [f"/items/bundles/{data['bundle']}/"]
        words = ["登记", "许可", "证明", "变更", "注销", "备案", "补领", "社会", "医疗", "工程"]
        distinct = [f"/items/?q={quote(w)}&page={n}" for n in range(1, 400) for w in words]
        client = Client(port)
        for paths in pages.values():
            for path in paths:
                for _ in range(30):  # warm every worker's cache and connection
                    client.get(path)
        best: dict[str, float] = {}
        for _ in range(args.rounds):
            for label, paths in pages.items():
                best[label] = max(best.get(label, 0.0), measure(client, paths, args.seconds))
        uncached = measure(client, distinct, args.seconds)
        citizen = Client(port)
        citizen.login("13800000001", "Tongban#2026")  # demo citizen 张伟
        guide_path = pages[f"guide /items/{data['guide']}/"]
        for _ in range(30):
            citizen.get(guide_path[0])
        logged_in = max(measure(citizen, guide_path, args.seconds) for _ in range(args.rounds))
    finally:
        server.terminate()
        server.wait(timeout=10)

    bare = best["bare view /healthz/"]
    print(f"\n{'page':42} {'req/s':>8} {'ratio':>6}")
    for label, rate in best.items():
        print(f"{label:42} {rate:8.0f} {rate / bare:6.2f}")
    print(f"{'search, distinct words (cache misses)':42} {uncached:8.0f} {uncached / bare:6.2f}")
    print(f"{'guide, logged-in citizen (body cached)':42} {logged_in:8.0f} {logged_in / bare:6.2f}")
    worst = min(rate / bare for label, rate in best.items() if label != "bare view /healthz/")
    print(f"\nlowest cached-page ratio: {worst:.2f} (goal ≥ 0.5) {'OK' if worst >= 0.5 else 'BELOW GOAL'}")


if __name__ == "__main__":
    main()
