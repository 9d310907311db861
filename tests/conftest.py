"""The shared cast (STYLE.md): two citizens, a clerk of each of two counties, an approver,
a supervisor and an admin, on the demo organisation (hall/demo.py), which every test database gets."""

import io
import os
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest

from hall.constants import StaffRole
from hall.demo import DEMO_PASSWORD, seed_demo, staff_username
from hall.models import Department, Hall, User

from .factories import CitizenFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


def pytest_configure(config):
    from django.conf import settings

    # A fast hasher: the demo organisation has dozens of accounts and every test builds it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Sessions made by the test client's force_login count as having passed the second factor (staff
    # TOTP, docs/security.md); tests of the second factor itself switch this off (tests/hall/test_security_*).
    settings.TONGBAN_OTP_TEST_SESSIONS = True
    _force_login_verified()
    _xdist_worker_apart()


def _xdist_worker_apart():
    """`make test` runs the suite in pytest-xdist workers (gw0, gw1, ...). pytest-django gives each its own
    test database; here each also gets its own files (keys, media, the beat schedule: var/xdist/<worker>/)
    and its own Redis database (the broker's number plus the worker's), in the settings and in the
    environment that a test's subprocess (the Celery worker) inherits."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker:
        return
    from django.conf import settings

    var_dir = Path(settings.VAR_DIR) / "xdist" / worker
    (var_dir / "media").mkdir(parents=True, exist_ok=True)
    os.environ["TONGBAN_VAR_DIR"] = str(var_dir)
    os.environ["TONGBAN_MEDIA_ROOT"] = str(var_dir / "media")
    settings.VAR_DIR = var_dir
    settings.MEDIA_ROOT = var_dir / "media"
    settings.STATIC_ROOT = var_dir / "staticfiles"
    settings.CELERY_BEAT_SCHEDULE_FILENAME = str(var_dir / "celerybeat-schedule")
    from hall import crypto

    crypto.keyring_reset()  # the data keys are read again, from the worker's own key file

    broker = urlsplit(settings.CELERY_BROKER_URL)
    if broker.scheme not in ("redis", "rediss"):
        return
    index = int(worker.removeprefix("gw") or 0)
    database = int(broker.path.strip("/") or 0) + index
    url = urlunsplit(broker._replace(path=f"/{database}"))
    os.environ["CELERY_BROKER_URL"] = url
    settings.CELERY_BROKER_URL = url
    from hall.celery import app

    app.conf.broker_url = url


def _force_login_verified():
    from django.test import Client

    from hall.security.sessions import TEST_VERIFIED

    original = Client.force_login
    if getattr(original, "_second_factor", False):
        return

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[TEST_VERIFIED] = True
        session.save()

    force_login._second_factor = True
    Client.force_login = force_login


@pytest.fixture(scope="session")
def demo_rows(django_db_setup, django_db_blocker) -> SimpleNamespace | None:
    """The demo organisation's rows as PostgreSQL COPY text, table by table: seed_demo() runs once per
    test database, in a transaction that is rolled back, and each test that needs the organisation
    copies the rows back in (a few COPY statements instead of some 400 queries per test)."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        return None
    with django_db_blocker.unblock(), transaction.atomic():
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        empty = {table for table in tables if not _rows_exist(table)}
        seed_demo()
        rows = {}
        with connection.cursor() as cursor:
            for table in sorted(table for table in empty if _rows_exist(table)):
                buffer = io.BytesIO()
                cursor.cursor.copy_expert(f'COPY "{table}" TO STDOUT', buffer)
                cursor.execute(
                    "SELECT pg_get_serial_sequence(%s, 'id') FROM information_schema.columns"
                    " WHERE table_name = %s AND column_name = 'id'",
                    [table, table],
                )
                sequence = cursor.fetchone()
                rows[table] = (buffer.getvalue(), sequence[0] if sequence else None)
        transaction.set_rollback(True)
    return SimpleNamespace(rows=rows, keys=_data_keys())


def _data_keys() -> tuple:
    """The personal data keys the demo's identifiers were encrypted and indexed with."""
    from hall import crypto

    ring = crypto.keyring()
    return ring.current, ring.keys, ring.index_key


def _rows_exist(table: str) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')
        return cursor.fetchone()[0]


def _demo_restore(demo_rows: SimpleNamespace | None) -> None:
    """Copy the demo rows in, then move each table's id sequence past them. Where a test has written to
    one of those tables first, or holds data keys of its own, seed_demo() itself runs."""
    from django.db import connection, transaction

    if demo_rows is None or demo_rows.keys != _data_keys() or any(_rows_exist(t) for t in demo_rows.rows):
        seed_demo()
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (text, _sequence) in demo_rows.rows.items():
            cursor.cursor.copy_expert(f'COPY "{table}" FROM STDIN', io.BytesIO(text))
        for table, (_text, sequence) in demo_rows.rows.items():
            if sequence:
                cursor.execute(
                    f'SELECT setval(%s, GREATEST((SELECT MAX(id) FROM "{table}"), nextval(%s)))', [sequence, sequence]
                )


@pytest.fixture
def demo(db, demo_rows):
    """The demo city: regions, halls (YJ city, JC 江城, YD 阳东, YX 阳西, YC 阳春), departments, staff."""
    _demo_restore(demo_rows)
    halls = {h.code: h for h in Hall.objects.all()}
    return SimpleNamespace(halls=halls, password=DEMO_PASSWORD)


def _staff(hall_code: str, role: str) -> User:
    return User.objects.get(username=staff_username(hall_code, role))


@pytest.fixture
def cast(demo):
    """Everyone a test needs, by their part in the story."""
    return SimpleNamespace(
        password=DEMO_PASSWORD,
        halls=demo.halls,
        citizen=CitizenFactory(real_name="张三"),
        other_citizen=CitizenFactory(real_name="李四"),
        clerk=_staff("JC", StaffRole.WINDOW_CLERK),  # 江城区
        other_clerk=_staff("YD", StaffRole.WINDOW_CLERK),  # 阳东区
        approver=_staff("JC", StaffRole.APPROVER),
        other_approver=_staff("YD", StaffRole.APPROVER),
        result_clerk=_staff("JC", StaffRole.RESULT_CLERK),
        supervisor=_staff("JC", StaffRole.SUPERVISOR),
        agency_head=_staff("JC", StaffRole.AGENCY_HEAD),  # 江城区市场监督管理局的机关负责人
        other_agency_head=_staff("YD", StaffRole.AGENCY_HEAD),
        catalogue_admin=_staff("JC", StaffRole.CATALOGUE_ADMIN),
        other_catalogue_admin=_staff("YD", StaffRole.CATALOGUE_ADMIN),
        admin=_staff("YJ", StaffRole.SYSTEM_ADMIN),
        market_jc=Department.objects.get(region__code="441702", short_name="市场监管"),
        market_yd=Department.objects.get(region__code="441704", short_name="市场监管"),
    )


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Caches that outlive a test's database rollback: the catalogue's rendered pages, the working-day
    calendar's year cache and Django's default cache. Cleared after every test so that no page or
    calendar of one test leaks into the next (SQLite reuses primary keys after a rollback)."""
    yield
    from django.core.cache import cache as default_cache

    from hall.workdays import workdays_changed
    from items.cache import cache as catalogue_pages

    catalogue_pages.clear()
    default_cache.clear()
    workdays_changed()
