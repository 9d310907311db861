"""generate_cases fills what the portal records after the decision, in the states the services leave:
results, e-certificates and delivery orders (some waiting for pickup), proofs, the archive, cross-county
hand-offs with their legs, ratings with rectification tickets and the public figures; a step runs in
the normal command or alone on a database already generated, once.

A small city (600 cases over 60 days) is generated into a database of its own, copied from the test
database after the demo organisation, calendar and catalogue are loaded into it."""

import time

import psycopg2
import psycopg2.errors
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections

from cases.management.commands import generate_cases

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="generate_cases writes PostgreSQL only"),
]


def _admin():
    db = settings.DATABASES["default"]
    admin = psycopg2.connect(
        dbname="postgres",
        user=db.get("USER") or "postgres",
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
    )
    admin.autocommit = True
    return admin


def _url(db: dict) -> str:
    return f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture(scope="module", autouse=True)
def target():
    """The generated database, known to Django's test case (it flushes it after the test), dropped at the end."""
    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_gen"
    connections.settings[generate_cases.ALIAS] = {**connections.settings["default"], "NAME": name}
    admin = _admin()
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"') if not _exists(cursor, name) else None
    yield name
    connections[generate_cases.ALIAS].close()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _exists(cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cursor.fetchone() is not None


@pytest.fixture
def city(target, transactional_db, monkeypatch):
    """A generated city: the base steps and every new step but ratings in the normal command. Yields
    (url, query)."""
    for command in ("seed_demo", "seed_calendar", "seed_catalogue"):
        call_command(command, verbosity=0)
    db = settings.DATABASES["default"]
    connections.close_all()
    admin = _admin()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        _copy(cursor, db["NAME"], target)
    admin.close()
    url = _url({**db, "NAME": target})
    # The copy is migrated and seeded already: skip the subprocesses (the same commands, slow hashers).
    monkeypatch.setattr(generate_cases.Command, "_prepare", lambda self, url, migrate_only=False: None)
    monkeypatch.delitem(generate_cases.STEPS, "ratings")
    call_command("generate_cases", "--cases", "600", "--per-day", "10", "--database-url", url, verbosity=0)
    monkeypatch.undo()
    monkeypatch.setattr(generate_cases.Command, "_prepare", lambda self, url, migrate_only=False: None)
    connection = psycopg2.connect(
        dbname=target,
        user=db.get("USER") or "postgres",
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
    )
    connection.autocommit = True

    def query(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    yield url, query
    connection.close()


def _copy(cursor, source: str, name: str, tries: int = 10) -> None:
    """CREATE DATABASE name TEMPLATE source. A copy needs the source to itself: a browser test run before in
    this worker may leave its page polling the live server, whose request threads hold sessions on the
    test database for a moment; those are closed, and the copy tried again."""
    for attempt in range(tries):
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [source],
        )
        try:
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
            return
        except psycopg2.errors.ObjectInUse:
            if attempt == tries - 1:
                raise
            time.sleep(0.5)


def _one(query, sql):
    return query(sql)[0][0]


@pytest.mark.django_db(transaction=True, databases=["default", generate_cases.ALIAS])
def test_new_steps_run_in_the_command_and_alone(city):
    url, query = city
    assert {row[0] for row in query("SELECT step FROM bench_generated")} == {
        "cases",
        "handoffs",
        "deliveries",
        "archive",
        "floor",
    }

    # Cross-county hand-offs: every case received outside its item's county has one, open work in
    # several states, every forwarded one its electronic leg, settled cases closed.
    assert _one(query, "SELECT count(*) FROM cases_handoff") > 0
    assert (
        _one(
            query,
            """SELECT count(*) FROM cases_case c JOIN items_itemversion v ON v.id = c.item_version_id
               JOIN items_item i ON i.id = v.item_id JOIN hall_hall h ON h.id = c.receiving_hall_id
               WHERE i.region_id <> h.region_id AND NOT EXISTS (SELECT 1 FROM cases_handoff x WHERE x.case_id = c.id)""",
        )
        == 0
    )
    states = {row[0] for row in query("SELECT DISTINCT state FROM cases_handoff")}
    assert {"closed", "received", "awaiting_forward"} <= states
    assert (
        _one(
            query,
            """SELECT count(*) FROM cases_handoff x WHERE x.forwarded_at IS NOT NULL AND NOT EXISTS
               (SELECT 1 FROM cases_handoffleg l WHERE l.handoff_id = x.id AND l.kind = 'electronic')""",
        )
        == 0
    )
    assert (
        _one(
            query,
            """SELECT count(*) FROM cases_handoff x JOIN cases_case c ON c.id = x.case_id
               WHERE c.cross_area_mode <> x.mode OR (c.state IN ('delivered', 'archived', 'rejected', 'withdrawn')
                     AND (x.state <> 'closed' OR x.next_due IS NOT NULL))""",
        )
        == 0
    )
    assert _one(query, "SELECT sum(count) FROM cases_handofftally WHERE kind = 'handoff'") == _one(
        query, "SELECT count(*) FROM cases_handoff"
    )

    # Results: every delivered or archived case has its order, proof and (granted) certificate; some
    # results wait at the window for pickup; an archived case has its package and an archived order.
    assert (
        _one(
            query,
            """SELECT count(*) FROM cases_case c LEFT JOIN delivery_deliveryorder o ON o.case_id = c.id
               LEFT JOIN delivery_deliveryproof p ON p.order_id = o.id
               LEFT JOIN delivery_certificate k ON k.case_id = c.id
               WHERE c.state IN ('delivered', 'archived') AND (p.id IS NULL OR k.id IS NULL OR o.state <> c.state)""",
        )
        == 0
    )
    assert (
        _one(query, "SELECT count(*) FROM delivery_deliveryorder WHERE state = 'at_window' AND method = 'pickup'") > 0
    )
    assert (
        _one(
            query,
            """SELECT count(*) FROM cases_case c LEFT JOIN delivery_archivepackage a ON a.case_id = c.id
               WHERE c.state = 'archived' AND a.id IS NULL""",
        )
        == 0
    )
    # A result handed out at a receiving hall of another county has come back there first.
    assert (
        _one(
            query,
            """SELECT count(*) FROM delivery_deliveryorder o JOIN cases_handoff x ON x.case_id = o.case_id
               WHERE o.method = 'pickup' AND o.state IN ('at_window', 'delivered', 'archived') AND NOT EXISTS
                 (SELECT 1 FROM cases_handoffleg l WHERE l.handoff_id = x.id AND l.kind = 'result'
                  AND l.received_at IS NOT NULL)""",
        )
        == 0
    )
    # Produced results are known to the production list, and the numbering continues after them.
    assert _one(query, "SELECT count(*) FROM cases_caseevent WHERE kind = 'result_produced'") == _one(
        query, "SELECT count(*) FROM delivery_deliveryorder"
    )
    assert _one(query, "SELECT count(*) FROM cases_numbercounter WHERE key LIKE 'certificate:%'") > 0

    # The floor: every ticket filed under a window category and numbered as the kiosk numbers; today's
    # queue waiting; each kept booking exchanged for its booked ticket; slots count their bookings.
    assert (
        _one(
            query,
            """SELECT count(*) FROM hall_ticket WHERE category NOT IN
               ('investment', 'real_estate', 'commercial', 'social', 'cross_area', 'result')
               OR right(number, 3) <> lpad(mod(sequence, 1000)::text, 3, '0')""",
        )
        == 0
    )
    assert _one(query, "SELECT count(*) FROM hall_booking WHERE state = 'active'") > 0
    assert (
        _one(
            query,
            """SELECT count(*) FROM hall_slot s WHERE s.booked <> (SELECT count(*) FROM hall_booking b
               WHERE b.slot_id = s.id AND b.state <> 'cancelled')""",
        )
        == 0
    )
    assert (
        _one(
            query,
            """SELECT count(*) FROM hall_booking b WHERE b.state = 'kept' AND b.starts_at < localtime - interval '1 hour'
               AND NOT EXISTS (SELECT 1 FROM hall_ticket t WHERE t.booking_id = b.id AND t.lane = 'booked')""",
        )
        == 0
    )

    # Ratings alone, on the database already generated; a second time changes nothing.
    call_command("generate_cases", "--steps", "ratings", "--database-url", url, verbosity=0)
    services = _one(query, "SELECT count(*) FROM evaluation_service")
    assert services > 0
    assert _one(query, "SELECT sum(services) FROM evaluation_figurerow") == services
    # The supervisor's ticket counters of the summary too (upheld appeals left out).
    tickets = _one(query, "SELECT count(*) FROM evaluation_rectificationticket WHERE state <> 'voided'")
    assert _one(query, "SELECT sum(tickets) FROM evaluation_figurerow") == tickets
    assert (
        _one(
            query,
            """SELECT count(*) FROM evaluation_rating r LEFT JOIN evaluation_rectificationticket k ON k.rating_id = r.id
               WHERE r.kind = 'first' AND r.level >= 4 AND k.id IS NULL""",
        )
        == 0
    )
    assert (
        _one(
            query,
            """SELECT count(*) FROM evaluation_rectificationticket k WHERE NOT EXISTS
               (SELECT 1 FROM evaluation_ticketstep s WHERE s.ticket_id = k.id AND s.kind = 'opened')""",
        )
        == 0
    )
    call_command("generate_cases", "--steps", "ratings", "--database-url", url, verbosity=0)
    assert _one(query, "SELECT count(*) FROM evaluation_service") == services

    with pytest.raises(CommandError, match="未知的步骤"):
        call_command("generate_cases", "--steps", "ratings,parking", "--database-url", url)
    events = _one(query, "SELECT count(*) FROM cases_caseevent")
    call_command("generate_cases", "--steps", "archive", "--database-url", url, verbosity=0)  # done: skipped
    assert _one(query, "SELECT count(*) FROM cases_caseevent") == events
