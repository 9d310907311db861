"""The production stack of docs/deploy.md (scripts/stack.py: nginx → 2 gunicorn instances, 2 Celery
workers, 1 beat) booted on loopback over the pytest-django test database and a redis-server of its own,
then driven through nginx: the anonymous home and a static file, a staff login with the second factor,
a citizen's booking whose notice a worker sends, and GETs that keep answering while one gunicorn
instance is killed. Skipped unless PostgreSQL and Redis are configured (DATABASE_URL, CELERY_BROKER_URL:
CI sets both); the processes see only committed data, so the test is transactional."""

import http.client
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from hall import crypto
from hall.constants import DeliveryStatus, NoticeChannel, StaffRole
from hall.demo import DEMO_PASSWORD, seed_demo, staff_username
from hall.floor.demo import seed_floor_hours
from hall.models import Notice, NoticeDelivery, User
from hall.security.otp import demo_totp_seed
from hall.selectors import user_by_mobile
from tests.items.factories import ItemVersionFactory

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "scripts"))

from faults import Redis, book, catalogue_items, citizen_login, free_slot  # noqa: E402
from pages import DEMO_TOTP_SECRET, Client, free_port  # noqa: E402
from stack import Stack  # noqa: E402

CONFIGURED = os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get(
    "CELERY_BROKER_URL", ""
).startswith("redis://")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not CONFIGURED, reason="needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL: CI sets them)"
    ),
]
CITIZEN = "13800000001"  # 张伟, with a mobile: the notice has an SMS channel


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    auth = f"{quote(db.get('USER') or 'postgres')}{password}@"
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _real_password(user: User) -> None:
    """The suite hashes with MD5 for speed; the stack runs production's hashers."""
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(pk=user.pk).update(password=hasher.encode(DEMO_PASSWORD, hasher.salt()))


@pytest.fixture
def stack(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the stack's processes need PostgreSQL: they cannot open pytest's SQLite database")
    seed_demo()
    demo_totp_seed(DEMO_TOTP_SECRET)
    seed_floor_hours()
    ItemVersionFactory(materials=0, name="个体工商户设立登记")
    clerk = staff_username("JC", StaffRole.WINDOW_CLERK)
    _real_password(User.objects.get(username=clerk))
    _real_password(user_by_mobile(CITIZEN))

    # Not under tmp_path: pytest makes it readable by its owner only, and nginx's workers (nobody) serve
    # the static files. VAR_DIR is this xdist worker's own.
    var_dir = Path(settings.VAR_DIR) / "stack-test"
    shutil.rmtree(var_dir / "logs", ignore_errors=True)
    redis_port, port, web_1, web_2 = (free_port() for _ in range(4))
    redis = Redis(redis_port, var_dir / "redis")
    running = Stack(
        port=port,
        web_ports=(web_1, web_2),
        database_url=_database_url(),
        broker_url=f"redis://127.0.0.1:{redis_port}/0",
        cache_url=f"redis://127.0.0.1:{redis_port}/1",
        var_dir=var_dir,
        celery_concurrency=1,
        extra_env={"TONGBAN_DATA_KEY_FILE": str(crypto.key_file_path()), "TONGBAN_AXES_ENABLED": "false"},
    )
    try:
        redis.start()
        running.prepare(demo=False)
        running.start()
        running.clerk = clerk
        yield running
    finally:
        running.stop()
        redis.stop()


def test_the_stack_serves_through_nginx_sends_notices_and_survives_a_dead_instance(stack):
    home_client = Client("127.0.0.1", stack.port)
    response, home = home_client.request("GET", "/")
    assert response.status == 200 and response.headers["Server"].startswith("nginx")
    assert "通办" in home
    css = next(part.split('"')[0] for part in home.split('href="')[1:] if part.startswith("/static/"))
    response, _ = home_client.request("GET", css)
    assert response.status == 200 and "max-age=31536000" in response.headers.get("Cache-Control", "")

    # A clerk logs in with password and TOTP code (the form posts go through nginx).
    clerk = Client("127.0.0.1", stack.port)
    clerk.login(stack.clerk, DEMO_PASSWORD)
    response, _ = clerk.request("GET", "/cases/desk/")
    assert response.status == 200

    # A citizen books an appointment: the notice is written by gunicorn and sent by a worker.
    citizen = citizen_login("127.0.0.1", stack.port, CITIZEN)
    item = catalogue_items(citizen)[0]
    slot = free_slot(citizen, item)
    assert slot is not None
    response = book(citizen, item, slot)
    assert response.status == 302 and response.headers["Location"].endswith("/floor/bookings/")
    notice = Notice.objects.get(kind="booking_created", recipient=user_by_mobile(CITIZEN))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        statuses = dict(NoticeDelivery.objects.filter(notice=notice).values_list("channel", "status"))
        if statuses and set(statuses.values()) == {DeliveryStatus.SENT}:
            break
        time.sleep(0.3)
    assert statuses == {NoticeChannel.INBOX: DeliveryStatus.SENT, NoticeChannel.SMS: DeliveryStatus.SENT}
    sms = NoticeDelivery.objects.get(notice=notice, channel=NoticeChannel.SMS)
    assert sms.attempt_log.filter(outcome="sent").count() == 1

    # GETs keep answering while one gunicorn instance is killed: nginx retries them on the other.
    answers, stop = [], threading.Event()

    def reader():
        client = Client("127.0.0.1", stack.port)
        while not stop.is_set():
            try:
                response, _ = client.request("GET", "/items/")
                answers.append(response.status)
            except http.client.IncompleteRead:
                # The body was on its way from the killed instance: lost in flight, which nginx
                # cannot retry once it has begun the answer.
                answers.append("in flight")
                client = Client("127.0.0.1", stack.port)
            except OSError as error:
                answers.append(str(error))
                client = Client("127.0.0.1", stack.port)

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for thread in readers:
        thread.start()
    time.sleep(1.5)
    stack.kill("web-1", signal.SIGKILL)
    time.sleep(2.5)
    stop.set()
    for thread in readers:
        thread.join(30)
    assert not stack.services["web-1"].running
    lost = answers.count("in flight")
    assert answers and set(answers) <= {200, "in flight"}, f"{len(answers)} answers: {sorted(set(map(str, answers)))}"
    assert lost <= len(readers), f"{lost} answers lost, more than the {len(readers)} that can be in flight"
