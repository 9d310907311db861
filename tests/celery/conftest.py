"""A real Celery worker on Redis, started as a subprocess against the pytest-django test database.

The worker is a separate process with its own database connection: it sees only committed data, so
these tests are transactional. The test database's name (and the rest of the connection) reach the
worker through DATABASE_URL. Skipped unless CELERY_BROKER_URL is a redis:// URL (CI sets one) and
the database is PostgreSQL (the worker cannot open pytest's in-memory SQLite database)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
CELERY = Path(sys.executable).with_name("celery")


def pytest_collection_modifyitems(config, items):
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if broker.startswith("redis://"):
        return
    skip = pytest.mark.skip(reason=f"needs a Redis broker: CELERY_BROKER_URL is {broker or 'unset'} (CI sets redis://)")
    for item in items:
        if "tests/celery/" in str(item.fspath):
            item.add_marker(skip)


def _database_url() -> str:
    db = connection.settings_dict
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class Worker:
    """One `celery -A hall worker` subprocess; start(), kill() (SIGKILL to its process group), stop()."""

    def __init__(self, tmp_path: Path, **env):
        self.tmp_path = tmp_path
        self.sms_log = tmp_path / "sms.log"
        self.extra_env = env
        self.process = None
        self.runs = 0

    def start(self, *, beat: bool = False, **env) -> "Worker":
        """Start the worker; with `beat`, it runs beat as well (-B, its schedule file in tmp_path)."""
        self.runs += 1
        self.name = f"test-{uuid.uuid4().hex[:8]}@%h"
        self.logfile = self.tmp_path / f"worker-{self.runs}.log"
        inherited = {k: v for k, v in os.environ.items() if k != "TONGBAN_TEST_SMS_HANG_ON"}
        environment = {
            **inherited,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "TONGBAN_SMS_BACKEND": "tests.celery.sms.FileSms",
            "TONGBAN_TEST_SMS_LOG": str(self.sms_log),
            "TONGBAN_NOTICE_STUCK_SECONDS": "2",
            "TONGBAN_CELERY_VISIBILITY_TIMEOUT": "30",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "TONGBAN_AXES_ENABLED": "false",
            **self.extra_env,
            **env,
        }
        args = [str(CELERY), "-A", "hall", "worker", "--loglevel=INFO", "--concurrency=1", "--pool=prefork"]
        args += ["--without-mingle", "--without-gossip", "--without-heartbeat", "-n", self.name]
        args += [f"--logfile={self.logfile}"]
        if beat:
            args += ["-B", f"--schedule={self.tmp_path / f'beat-schedule-{self.runs}'}"]
        self.process = subprocess.Popen(args, cwd=ROOT, env=environment, start_new_session=True)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited: {self.log()}")
            if "ready." in self.log():
                return
            time.sleep(0.2)
        raise RuntimeError(f"celery worker not ready after {timeout}s: {self.log()}")

    def log(self) -> str:
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children): no chance to ack or clean up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def sms_lines(self) -> list[str]:
        return self.sms_log.read_text(encoding="utf-8").splitlines() if self.sms_log.exists() else []


@pytest.fixture
def worker_factory(transactional_db, tmp_path):
    """Make workers; every one is stopped before the test database is flushed."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs PostgreSQL: it cannot open pytest's in-memory SQLite database")
    from hall.celery import app

    app.control.purge()  # messages left by other tests' on_commit sends would reach this worker
    workers = []

    def make(**env) -> Worker:
        worker = Worker(tmp_path, **env)
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()
    app.control.purge()


def wait_for(predicate, timeout: float = 45, interval: float = 0.25, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")
