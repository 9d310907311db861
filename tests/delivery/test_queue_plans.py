"""The result window's tabs, the hand-overs to count in and the archive list read through the indexes that
hold only their work (DESIGN.md "Lists at a city's volume"): open orders through the partial index of open
orders (per hall, in due order), hand-overs through the partial index of those not counted in, the archive
through its per-hall newest-first index, so that no page reads the delivered history.

The plans are checked on PostgreSQL with EXPLAIN on the very SQL each page runs; the test tables are tiny,
where a sequential scan is always cheapest, so sequential scans are switched off for the EXPLAIN. The
plans at 1,000,000 cases are in docs/performance.md (bench/plans.py prints them)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .helpers import at_window, granted_case, picked_up

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans"),
]


def _plan(sql: str, tables: tuple[str, ...]) -> str:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


def _queries(client, url, params=None) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
        assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def _reads(plan: str, table: str) -> list[str]:
    """The index each read of `table` goes through ("" for a sequential scan)."""
    reads = re.findall(rf"(Seq Scan on {table}|Index (?:Only )?Scan (?:Backward )?using (\w+) on {table})", plan)
    bitmap = re.findall(r"Bitmap Index Scan on (\w+)", plan) if f"Bitmap Heap Scan on {table}" in plan else []
    return [index for _, index in reads] + bitmap


@pytest.fixture
def orders(window):
    """Orders of each open tab at 江城, and a delivered one (history)."""
    at_window(window, granted_case(window))
    picked_up(window, granted_case(window))
    return window


@pytest.mark.parametrize("tab", ["collect", "post", "posted", "electronic", "archive"])
def test_result_window_tab_reads_the_open_orders_index(client, orders, tab):
    client.force_login(orders.result_clerk)
    queries = _queries(client, reverse("delivery:workbench"), {"tab": tab})
    page = [q for q in queries if 'FROM "delivery_deliveryorder"' in q and re.search(r"ORDER BY .* LIMIT \d+$", q)]
    assert page, queries
    reads = _reads(_plan(page[0], ("delivery_deliveryorder",)), "delivery_deliveryorder")
    assert reads and all(index.startswith("delivery_order_") for index in reads), reads


def test_hand_overs_to_count_in_read_the_open_hand_over_index(client, window):
    from delivery.services import result_handover

    from .helpers import produced

    order = produced(window, granted_case(window))
    result_handover(orders=[order], actor=window.approver, signature=window.approver.real_name)
    client.force_login(window.result_clerk)
    queries = _queries(client, reverse("delivery:workbench"), {"tab": "receive"})
    listed = [q for q in queries if 'FROM "delivery_resulthandover"' in q and "ORDER BY" in q]
    assert listed, queries
    reads = _reads(_plan(listed[0], ("delivery_resulthandover",)), "delivery_resulthandover")
    assert reads and all(index == "handover_open" for index in reads), reads


def test_archive_list_reads_its_newest_first_index(client, window):
    client.force_login(window.archivist)
    queries = _queries(client, reverse("delivery:archive"))
    listed = [q for q in queries if 'FROM "delivery_archivepackage"' in q and "ORDER BY" in q]
    assert listed, queries
    plan = _plan(listed[0], ("delivery_archivepackage",))
    assert _reads(plan, "delivery_archivepackage") == ["archive_hall_newest"], plan
    assert "Sort" not in plan.split("archive_hall_newest")[0], plan  # in index order, no sort of the history


def test_production_reads_the_decided_cases_and_the_produced_orders_only(client, window):
    """制证出件: the cases to produce through the partial index of decided cases; the orders to hand over
    through the partial index of open orders (a bundle's, asked per order), never the department's cases."""
    from tests.cases.test_queue_plans import _closed_history
    from tests.factories import EnterpriseFactory

    from .helpers import produced

    granted_case(window)
    produced(window, granted_case(window))
    # Closed history around the open work, so that the planner weighs the indexes as in a hall.
    template = granted_case(window)
    _closed_history(template, applicant=window.other_citizen, enterprise=EnterpriseFactory(), halls=window.halls)
    client.force_login(window.approver)
    queries = _queries(client, reverse("delivery:production"))
    to_produce = [q for q in queries if q.startswith('SELECT "cases_case"') and "ORDER BY" in q]
    assert to_produce, queries
    plan = _plan(to_produce[0], ("cases_case",))
    assert "case_result_queue_dept" in _reads(plan, "cases_case"), plan
    to_hand_over = [q for q in queries if 'FROM "delivery_deliveryorder"' in q and "ORDER BY" in q]
    assert to_hand_over, queries
    plan = _plan(to_hand_over[0], ("delivery_deliveryorder", "cases_case"))
    assert all(index.startswith("delivery_order_") for index in _reads(plan, "delivery_deliveryorder")), plan
    assert "Seq Scan on cases_case" not in plan, plan
