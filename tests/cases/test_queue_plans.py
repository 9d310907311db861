"""Every queue reads its open work through the index that holds only that work (DESIGN.md "Lists at a
city's volume"), and costs the same number of queries whatever the data.

The plans are checked on PostgreSQL with EXPLAIN on the very SQL each page runs. The test tables are
tiny, where a sequential scan is always cheapest, so sequential scans are switched off for the EXPLAIN:
what is checked is that the planner can and does serve the query from the intended index (a query
that filters across a join or by OR over two tables could not). The plans at 1,000,000 cases are in
docs/performance.md.
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.constants import CaseState, WarningLevel
from cases.models import Case
from tests.cases.factories import CaseFactory
from tests.factories import CitizenFactory, EnterpriseFactory
from tests.items.factories import ItemVersionFactory

pytestmark = pytest.mark.django_db
postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")

TODAY = dt.date.today()
CLOSED = [CaseState.ARCHIVED, CaseState.REJECTED, CaseState.WITHDRAWN]


@pytest.fixture
def history(cast):
    """Open work of each queue among closed history, at 江城 and elsewhere."""
    version = ItemVersionFactory()
    rows = []
    for trait in ["submitted", "supplement_requested", "accepted", "suspended", "archived", "rejected"]:
        for _ in range(3):
            rows.append(
                CaseFactory(
                    item_version=version, applicant=cast.citizen, receiving_hall=cast.halls["JC"], **{trait: True}
                )
            )
    for i, case in enumerate(rows[:8]):
        case.warning_level = [WarningLevel.OVERDUE, WarningLevel.RED, WarningLevel.YELLOW, WarningLevel.GREEN][i % 4]
        case.next_due = TODAY + dt.timedelta(days=i - 3)
        case.owning_department = cast.market_jc
        case.save(update_fields=["warning_level", "next_due", "owning_department"])
    enterprise = EnterpriseFactory(agent=cast.citizen)
    CaseFactory(item_version=version, applicant=CitizenFactory(), enterprise=enterprise, submitted=True)
    if connection.vendor == "postgresql":
        _closed_history(rows[-1], applicant=cast.other_citizen, enterprise=EnterpriseFactory(), halls=cast.halls)
    return rows


def _closed_history(template, *, applicant, enterprise, halls, n: int = 4000) -> None:
    """`n` closed cases copied from `template` in one INSERT … SELECT, spread over halls, dates and
    another citizen and enterprise: the planner sees history around a little open work, as in a hall."""
    fields = [f.column for f in Case._meta.concrete_fields if f.column not in {"id", "number", "state", "received_at"}]
    fields = [c for c in fields if c not in {"receiving_hall_id", "applicant_id", "enterprise_id", "created_at"}]
    cols = ", ".join(f'"{c}"' for c in fields)
    hall_ids = [halls[code].pk for code in ("JC", "YD", "YX")]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO cases_case ({cols}, number, state, received_at, created_at, receiving_hall_id,
                                         applicant_id, enterprise_id)
                SELECT {cols}, 'H' || g, CASE WHEN g %% 3 = 0 THEN 'rejected' ELSE 'archived' END,
                       now() - g * interval '1 hour', now() - g * interval '1 hour',
                       (ARRAY[%s, %s, %s])[1 + g %% 3], %s, CASE WHEN g %% 2 = 0 THEN %s END
                FROM cases_case, generate_series(1, %s) AS g WHERE cases_case.id = %s""",
            [*hall_ids, applicant.pk, enterprise.pk, n, template.pk],
        )


def _page_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


def _case_queries(queries: list[str], pattern: str) -> list[str]:
    return [q for q in queries if 'FROM "cases_case"' in q and re.search(pattern, q)]


LIST = r"ORDER BY .* LIMIT \d+$"  # the page of rows (the last page is sliced to what is left)
COUNT = r"LIMIT 10001\) subquery$"  # the bounded count
INTAKE = ["case_intake_queue_hall", "case_intake_queue_handed", "case_intake_queue_received"]
DECISION = ["case_decision_queue_dept"]
RUNNING = ["case_clock_scope", "case_clock_level_due"]
QUEUES = [
    # who, URL, which captured query (regex), the indexes holding only that queue's open work
    ("clerk", "cases:clerk_workbench", LIST, INTAKE),
    ("clerk", "cases:clerk_workbench", COUNT, INTAKE),
    ("approver", "cases:approver_workbench", LIST, DECISION),
    ("approver", "cases:approver_workbench", COUNT, DECISION),
    ("supervisor", "cases:supervision", r"GROUP BY", RUNNING),
    ("supervisor", "cases:supervision", LIST, RUNNING),
    ("supervisor", "cases:supervision", COUNT, RUNNING),
]


def _reads_only(plan: str, indexes: list[str]) -> None:
    """Every read of cases_case in the plan goes through one of `indexes` (no other index, no scan)."""
    reads = re.findall(r"(Seq Scan on cases_case|Index (?:Only )?Scan (?:Backward )?(?:using|on) (\w+))", plan)
    assert reads, plan
    for read, index in reads:
        if "cases_case" in read and not index:
            raise AssertionError(plan)
        if index.startswith("case"):
            assert any(index.startswith(name) for name in indexes), plan
    assert any(index.startswith(name) for _, index in reads for name in indexes), plan


@postgres
@pytest.mark.parametrize(("who", "url_name", "pattern", "indexes"), QUEUES)
def test_queue_plan_uses_its_index(client, cast, history, who, url_name, pattern, indexes):
    client.force_login(getattr(cast, who))
    queries = _case_queries(_page_queries(client, reverse(url_name)), pattern)
    assert queries, f"no query of {url_name} matches {pattern}"
    _reads_only(_plan(queries[0]), indexes)


@postgres
def test_citizen_list_reads_one_index_per_way_a_case_is_theirs(client, cast, history):
    client.force_login(cast.citizen)
    queries = _page_queries(client, reverse("workbench"))
    mine = _case_queries(queries, r"LIMIT 100$")
    assert len(mine) == 2, mine  # as applicant, as the enterprise's agent
    # Its own partial index, or the plain foreign-key index (the planner's choice when a person has few
    # cases): either reads that person's (or enterprise's) cases only.
    _reads_only(_plan(mine[0]), ["case_mine_applicant", "cases_case_applicant_id"])
    _reads_only(_plan(mine[1]), ["case_mine_enterprise", "cases_case_enterprise_id"])


@pytest.mark.parametrize(
    "url_name", ["cases:clerk_workbench", "cases:approver_workbench", "cases:supervision", "workbench"]
)
def test_queue_query_count_is_constant(client, cast, history, url_name, django_assert_max_num_queries):
    who = {"cases:clerk_workbench": "clerk", "cases:approver_workbench": "approver", "cases:supervision": "supervisor"}
    client.force_login(getattr(cast, who.get(url_name, "citizen")))
    url = reverse(url_name)
    client.get(url)  # per-process caches
    few = len(_page_queries(client, url))
    version = ItemVersionFactory()
    for trait in ["submitted", "accepted", "archived"]:
        for _ in range(10):
            case = CaseFactory(
                item_version=version, applicant=cast.citizen, receiving_hall=cast.halls["JC"], **{trait: True}
            )
            case.warning_level, case.next_due = WarningLevel.OVERDUE, TODAY - dt.timedelta(days=1)
            case.owning_department = cast.market_jc
            case.save(update_fields=["warning_level", "next_due", "owning_department"])
    with django_assert_max_num_queries(few):
        client.get(url)
