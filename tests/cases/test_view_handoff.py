"""The hand-off pages: forwarding with bad input, the desk's lists (constant queries, the results to send
back, each list's partial index), the figures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.constants import HandoffState
from cases.handoff_selectors import handoff_figures, handoffs_incoming, handoffs_outgoing, results_to_send
from cases.models import Case, Handoff

from .handoff_cast import forwarded, granted, make_cast, receive_at, received

pytestmark = pytest.mark.django_db


@pytest.fixture
def hc(cast):
    return make_cast(cast)


def test_forward_page_and_bad_input(client, hc):
    case = receive_at(hc)
    client.force_login(hc.yx_clerk)
    page = client.get(reverse("cases:handoff", args=[case.pk]))
    assert page.status_code == 200 and 'data-form="forward"' in page.content.decode()
    url = reverse("cases:handoff_forward", args=[case.pk])
    response = client.post(
        url, {"forward-to_hall": hc.yc.pk, "forward-paper_carrier": "ems", "forward-paper_tracking": ""}
    )
    assert response.status_code == 400 and "寄递单号" in response.content.decode()
    response = client.post(url, {"forward-to_hall": hc.jc.pk})
    assert response.status_code == 400
    assert Handoff.objects.get(case=case).state == HandoffState.AWAITING_FORWARD
    response = client.post(
        url, {"forward-to_hall": hc.yc.pk, "forward-paper_carrier": "ems", "forward-paper_tracking": "EM1CN"}
    )
    assert response.status_code == 302
    assert Handoff.objects.get(case=case).state == HandoffState.FORWARDED


def test_desk_lists_in_constant_queries(client, hc, django_assert_max_num_queries):
    for _ in range(3):
        forwarded(hc)
    client.force_login(hc.yc_clerk)
    with django_assert_max_num_queries(20):
        body = client.get(reverse("cases:handoff_desk")).content.decode()
    assert body.count("data-handoff-row") == 3
    for _ in range(3):
        forwarded(hc)
    with django_assert_max_num_queries(20):
        body = client.get(reverse("cases:handoff_desk")).content.decode()
    assert body.count("data-handoff-row") == 6
    client.force_login(hc.yx_clerk)
    assert client.get(reverse("cases:handoff_desk")).content.decode().count("data-handoff-row") == 6
    client.force_login(hc.jc_clerk)
    assert client.get(reverse("cases:handoff_desk")).content.decode().count("data-handoff-row") == 0


def test_case_page_reads_the_hand_off_once_whatever_its_legs(client, hc):
    """The hand-off and its legs in two queries: the halls are the case's own (not joined again to the
    hand-off and to every leg): a page with three legs costs what a page with two does."""
    few = forwarded(hc)
    many = granted(hc)
    services.handoff_receive(case=many, actor=hc.yc_clerk, leg_kind="paper", tracking_number="EM123456789CN")
    services.handoff_result_send(case=many, actor=hc.yc_result, tracking_number="EM987654321CN")
    client.force_login(hc.yc_clerk)
    counts = []
    for case in (few, many):
        client.get(reverse("cases:handoff", args=[case.pk]))
        with CaptureQueriesContext(connection) as queries:
            body = client.get(reverse("cases:handoff", args=[case.pk])).content.decode()
        counts.append(len(queries.captured_queries))
        assert body.count("data-custody-line") == len(handoff_legs_and_receipt(case))
        assert sum('FROM "cases_handoff' in q["sql"] for q in queries.captured_queries) == 2
        assert not any('FROM "hall_hall"' in q["sql"] for q in queries.captured_queries if "cases_handoff" in q["sql"])
    assert counts[0] == counts[1]
    assert hc.yx.name in body and hc.yc.name in body


def handoff_legs_and_receipt(case) -> list:
    """The custody trail's lines: the receipt, every send, every receipt."""
    legs = list(Handoff.objects.get(case=case).legs.values_list("received_at", flat=True))
    return [None, *legs, *(at for at in legs if at is not None)]


def test_figures_per_pair_own_county_and_city(client, hc, django_assert_max_num_queries):
    case = forwarded(hc)
    services.handoff_receive(case=case, actor=hc.yc_clerk)
    services.handoff_receive(case=case, actor=hc.yc_clerk, leg_kind="paper", tracking_number="EM123456789CN")
    receive_at(hc, hall=hc.jc, clerk=hc.jc_clerk)  # 江城区 → 阳春市
    with django_assert_max_num_queries(4):
        city = handoff_figures(hc.city_supervisor)
    pairs = {(f.receiving, f.owning): f for f in city}
    assert set(pairs) == {("阳西县", "阳春市"), ("江城区", "阳春市")}
    yx = pairs[("阳西县", "阳春市")]
    assert yx.handoffs == 1 and yx.transit_count == 1 and yx.p90_hours == 4 and yx.average_hours is not None
    own = {(f.receiving, f.owning) for f in handoff_figures(hc.yx_supervisor)}
    assert own == {("阳西县", "阳春市")}
    assert handoff_figures(hc.cast.supervisor) == [] or all(
        "江城区" in (f.receiving, f.owning) for f in handoff_figures(hc.cast.supervisor)
    )
    client.force_login(hc.city_supervisor)
    body = client.get(reverse("cases:supervision")).content.decode()
    assert "data-handoff-figures" in body
    assert client.get(reverse("cases:handoff_figures")).status_code == 200
    client.force_login(hc.yc_approver)
    assert client.get(reverse("cases:handoff_figures")).status_code == 404


def test_overdue_handoffs_are_counted_and_warned(hc):
    import datetime as dt

    from cases.sla import sla_scan
    from hall.models import ClockWarning

    case = receive_at(hc)
    past = dt.date.today() - dt.timedelta(days=7)
    Handoff.objects.filter(case=case).update(forward_due=past, next_due=past)
    Case.objects.filter(pk=case.pk).update(handoff_due=past, next_due=past)
    figures = {(f.receiving, f.owning): f for f in handoff_figures(hc.city_supervisor)}
    assert figures[("阳西县", "阳春市")].overdue == 1
    result = sla_scan()
    assert ClockWarning.objects.filter(case_id=case.pk, clock="handoff", level="overdue").exists()
    assert result.recorded >= 1
    from hall.models import Notice

    assert Notice.objects.filter(recipient=hc.yx_clerk, kind="clock_warning").exists()


def test_results_to_send_back_are_the_decided_ones_of_the_owning_hall(client, hc):
    """The owning hall's results to send back: decided, received, for pickup at the receiving hall; gone
    once sent. Undecided hand-offs and posted results are not listed."""
    waiting = received(hc)
    decided = granted(hc)
    posted = received(hc)
    Case.objects.filter(pk=posted.pk).update(delivery_method="post")
    Handoff.objects.filter(case=posted).update(result_return=False)  # as the delivery choice leaves it
    posted.refresh_from_db()
    services.case_accept(case=posted, actor=hc.yc_clerk)
    services.case_grant(case=posted, actor=hc.yc_approver)
    assert [row.case_id for row in results_to_send(hc.yc_result)] == [decided.pk]
    assert list(results_to_send(hc.yx_result)) == []  # the receiving side sends nothing back
    client.force_login(hc.yc_clerk)
    body = client.get(reverse("cases:handoff_desk")).content.decode()
    to_send = body.split('data-list="to-send"')[1]
    assert decided.number in to_send and waiting.number not in to_send and posted.number not in to_send
    services.handoff_result_send(case=decided, actor=hc.yc_result, tracking_number="EM987654321CN")
    assert list(results_to_send(hc.yc_result)) == []


def test_results_to_send_back_page_by_page(client, hc):
    first, second = granted(hc), granted(hc)
    page = results_to_send(hc.yc_clerk, size=1)
    assert [row.case_id for row in page] == [second.pk] and page.has_next
    client.force_login(hc.yc_clerk)
    body = client.get(reverse("cases:handoff_desk"), {"list": "to-send", "after": page.next_cursor}).content.decode()
    to_send = body.split('data-list="to-send"')[1]
    assert first.number in to_send and second.number not in to_send


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_hand_off_lists_read_their_partial_indexes(hc):
    """Each list of the desk reads a partial index of its own open work in the page's order, and the
    overdue count the index of open hand-offs by due date (sequential scans, sorts and bitmap scans off:
    the test tables are tiny; what is checked is that such an index matches each query): the incoming
    list, the outgoing list, the results to send back (never the hall's undecided work)."""
    for _ in range(3):
        forwarded(hc)
    granted(hc)
    Handoff.objects.filter(pk__in=Handoff.objects.values("pk")[:1]).update(state=HandoffState.CLOSED)
    plans = []
    reads = ((handoffs_incoming, hc.yc_clerk), (handoffs_outgoing, hc.yx_clerk), (results_to_send, hc.yc_result))
    for read, user in reads:
        with CaptureQueriesContext(connection) as queries:
            list(read(user))
        sql = next(q["sql"] for q in queries.captured_queries if 'FROM "cases_handoff"' in q["sql"])
        plans.append(_plan(sql, in_order=True))
    assert "handoff_incoming " in plans[0], plans[0]
    assert "handoff_outgoing_open" in plans[1], plans[1]
    assert "handoff_results_to_send" in plans[2], plans[2]
    assert all("Sort" not in plan for plan in plans), plans  # read in the page's order, not sorted
    with CaptureQueriesContext(connection) as queries:
        handoff_figures(hc.city_supervisor)
    overdue = next(q["sql"] for q in queries.captured_queries if 'FROM "cases_handoff"' in q["sql"])
    assert "handoff_open_due" in _plan(overdue)


def _plan(sql: str, *, in_order: bool = False) -> str:
    """The plan of `sql` with sequential scans off; `in_order`: with sorts and bitmap scans off too, so a
    list is planned along an index that holds its rows in the page's order, if one matches its filter."""
    switches = ["enable_seqscan"] + (["enable_sort", "enable_bitmapscan"] if in_order else [])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_handoff")
        for switch in switches:
            cursor.execute(f"SET LOCAL {switch} = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        for switch in switches:
            cursor.execute(f"SET LOCAL {switch} = on")
    return plan
