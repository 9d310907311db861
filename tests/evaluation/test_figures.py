"""The public figures equal those computed independently from a fixture of ratings: the summary the
services keep (FigureRow) against a count straight from the ratings, tickets and services."""

import csv
import io
from collections import defaultdict

import pytest
from django.urls import reverse

from evaluation.constants import TicketState
from evaluation.figures import figures_table
from evaluation.models import Rating, RectificationTicket, Service
from evaluation.services import appeal_decide, ticket_appeal, ticket_call_back, ticket_rectify
from evaluation.services.scan import unrated_sweep
from tests.cases.factories import CaseFactory
from tests.items.factories import ItemVersionFactory

from .helpers import counter_case, counter_service, rate

pytestmark = pytest.mark.django_db

# (item index, level of the first rating, follow-up level or None, what happens to a ticket)
FIXTURE = [
    (0, 1, None, None),
    (0, 2, None, None),
    (0, 2, None, None),
    (0, 4, 2, "fix"),
    (0, 5, None, "appeal_upheld"),
    (1, 3, None, None),
    (1, 1, None, None),
    (1, 4, None, "open"),
    (1, 5, 4, "fix"),
    (1, None, None, None),  # never rated: 未评价 after the window
    (0, None, None, None),
]


def _build(cast):
    versions = [ItemVersionFactory(), ItemVersionFactory()]
    for index, first, follow, fate in FIXTURE:
        case = counter_case(cast, item_version=versions[index])
        service = counter_service(cast, case=case)
        if first is None:
            continue
        rate(service, first)
        if fate is None:
            continue
        ticket = RectificationTicket.objects.get(rating__service=service)
        if fate == "fix":
            ticket_call_back(ticket=ticket, actor=cast.approver, note="已回访")
            ticket_rectify(ticket=ticket, actor=cast.approver, outcome="fixed", note="已整改")
            if follow is not None:
                rate(service, follow, kind="follow_up")
        elif fate == "appeal_upheld":
            appeal = ticket_appeal(ticket=ticket, actor=cast.approver, reason="恶意差评")
            appeal_decide(appeal=appeal, actor=cast.supervisor, upheld=True, reasons="查实")
    import datetime as dt

    from django.utils import timezone

    unrated_sweep(now=timezone.now() + dt.timedelta(days=60))
    return versions


def independent(item_id=None) -> dict:
    """Counted straight from the ratings, tickets and services, without the summary."""
    services = Service.objects.all() if item_id is None else Service.objects.filter(item_id=item_id)
    counts = defaultdict(int)
    for service in services:
        counts["services"] += 1
        if service.unrated_at:
            counts["unrated"] += 1
        ratings = {r.kind: r for r in Rating.objects.filter(service=service)}
        voided = RectificationTicket.objects.filter(service=service, state=TicketState.VOIDED).exists()
        if not ratings:
            continue
        latest = ratings.get("follow_up") or ratings["first"]
        if voided and "follow_up" not in ratings:
            counts["excluded"] += 1
            continue
        counts["rated"] += 1
        counts[f"level_{latest.level}"] += 1
    tickets = RectificationTicket.objects.filter(service__in=services).exclude(state=TicketState.VOIDED)
    counts["bad_tickets"] = tickets.count()
    counts["rectified"] = tickets.filter(rectified_at__isnull=False).count()
    good = counts["level_1"] + counts["level_2"] + counts["level_3"]
    counts["satisfaction"] = round(100 * good / counts["rated"], 1)
    counts["rectification_rate"] = round(100 * counts["rectified"] / counts["bad_tickets"], 1)
    return counts


def _check(line, expected):
    for name in ("services", "rated", "unrated", "excluded", "bad_tickets", "rectified",
                 "level_1", "level_2", "level_3", "level_4", "level_5"):  # fmt: skip
        assert line.counts[name] == expected[name], name
    assert line.satisfaction == expected["satisfaction"]
    assert line.rectification_rate == expected["rectification_rate"]


def test_figures_equal_an_independent_count(cast):
    versions = _build(cast)
    lines, total = figures_table(group="item")
    expected = independent()
    _check(total, expected)
    # By hand, from the fixture: 9 rated first, 1 upheld appeal, 2 never rated.
    assert (total.services, total.rated, total.excluded, total.unrated) == (11, 8, 1, 2)
    assert total.levels == [2, 3, 1, 2, 0] and total.satisfaction == 75.0
    # Four tickets count: two fixed, one open, and the one the bad follow-up (5 → 4) opened.
    assert (total.bad_tickets, total.rectified, total.rectification_rate) == (4, 2, 50.0)
    by_item = {line.label: line for line in lines}
    for version in versions:
        _check(by_item[version.item.base_item.name], independent(version.item_id))


def test_figures_per_hall_department_and_month_add_up(cast):
    _build(cast)
    _lines, total = figures_table(group="item")
    for group in ("hall", "department", "month"):
        lines, grouped_total = figures_table(group=group)
        assert grouped_total.counts == total.counts
        assert sum(line.rated for line in lines) == total.rated


def test_public_page_shows_the_chart_and_table_without_login(client, cast):
    _build(cast)
    response = client.get(reverse("evaluation:figures"), {"by": "department"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg class="chart" id="level-chart"' in html and '<svg class="chart" id="rate-chart"' in html
    assert "<script" not in html.split('id="level-chart"')[1].split("</svg>")[0]
    assert 'data-line="total"' in html and "75.0%" in html
    assert cast.market_jc.name in html


def test_csv_export_has_the_same_numbers(client, cast):
    _build(cast)
    response = client.get(reverse("evaluation:figures_csv"), {"by": "item"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["事项", "服务数", "评价数", "未评价数"]
    total = rows[-1]
    assert total[0] == "合计" and total[1:4] == ["11", "8", "2"] and total[4:9] == ["2", "3", "1", "2", "0"]
    assert total[9] == "75.0"


def test_page_is_cached_until_the_next_change(
    client, cast, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    service = counter_service(cast)
    rate(service, 1)
    url = reverse("evaluation:figures")
    client.get(url)
    with django_assert_max_num_queries(4):  # the session-less page: the years and halls lists only
        client.get(url)
    with django_capture_on_commit_callbacks(execute=True):  # a new generation after commit
        rate(counter_service(cast, case=CaseFactory(submitted=True, applicant=cast.citizen)), 2)
    assert "2 / 2" in client.get(url).content.decode()


def test_odd_filters_fall_back_and_formulas_stay_text(client, cast):
    service = counter_service(cast)
    rate(service, 1)
    base = service.item.base_item
    base.name = "=HYPERLINK(1)"
    base.save()
    for query in ({"by": "nonsense"}, {"year": "abc"}, {"hall": "'; drop"}, {"by": "item", "year": "1900"}):
        assert client.get(reverse("evaluation:figures"), query).status_code == 200
    body = client.get(reverse("evaluation:figures_csv"), {"by": "item"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body
