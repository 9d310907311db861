"""Workbenches of clerks and approvers: search, filters, sort, pages of 25, masked ID numbers, and a
fixed number of queries per page whatever the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.constants import CaseState, WarningLevel
from cases.models import Case
from tests.factories import CitizenFactory
from tests.items.factories import ItemVersionFactory

from .factories import CaseFactory

pytestmark = pytest.mark.django_db


def listed(response) -> list[Case]:
    """The cases of the page's lines (the lines are plain values: number, URL, labels), in their order."""
    numbers = [line.number for line in response.context["page"].object_list]
    found = Case.objects.in_bulk(numbers, field_name="number")
    return [found[number] for number in numbers]


def _make(n: int, version=None, **traits):
    version = version or ItemVersionFactory()
    return [CaseFactory(item_version=version, applicant=CitizenFactory(), **traits) for _ in range(n)]


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return len(ctx.captured_queries)


def _set_clock(case, level: str, due: datetime.date | None):
    """Store a warning level and next due date as the SLA scan would (no recompute)."""
    Case.objects.filter(pk=case.pk).update(warning_level=level, next_due=due)
    case.refresh_from_db()
    return case


LEVEL_QUERIES = ["", "?level=red", "?sort=urgent", "?level=overdue&sort=urgent", "?level=green&sort=due"]


@pytest.mark.parametrize("params", LEVEL_QUERIES)
@pytest.mark.parametrize(
    ("who", "url_name", "trait"),
    [("clerk", "cases:clerk_workbench", "submitted"), ("approver", "cases:approver_workbench", "accepted")],
)
def test_fixed_number_of_queries_whatever_the_data(client, cast, who, url_name, trait, params):
    client.force_login(getattr(cast, who))
    url = reverse(url_name) + params
    version = ItemVersionFactory()
    _make(3, version, **{trait: True})
    client.get(url)  # warm the calendar and other per-process caches
    few = _count_queries(client, url)
    _make(27, ItemVersionFactory(), **{trait: True})
    many = _count_queries(client, url)
    assert few == many, f"{few} queries with 3 cases, {many} with 30"
    assert many <= 12


@pytest.mark.parametrize("params", LEVEL_QUERIES)
def test_query_count_with_assert_num_queries(client, cast, django_assert_num_queries, params):
    client.force_login(cast.clerk)
    url = reverse("cases:clerk_workbench") + params

    def make(n):
        for i, case in enumerate(_make(n, submitted=True)):
            _set_clock(case, LEVELS_CYCLE[i % len(LEVELS_CYCLE)], timezone.localdate() + datetime.timedelta(days=i % 5))

    make(4)  # one at each level, so that every filter has a row
    client.get(url)
    expected = _count_queries(client, url)
    make(40)
    with django_assert_num_queries(expected):
        client.get(url)


LEVELS_CYCLE = [WarningLevel.OVERDUE, WarningLevel.RED, WarningLevel.YELLOW, WarningLevel.GREEN]


def _urgency_cast():
    """One case at each warning level, two reds (the later due first in creation order) and one with no clock."""
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    cases = {
        "green": _set_clock(CaseFactory(submitted=True), WarningLevel.GREEN, today + 9 * day),
        "red_late": _set_clock(CaseFactory(submitted=True), WarningLevel.RED, today + day),
        "none": _set_clock(CaseFactory(submitted=True), WarningLevel.NONE, None),
        "yellow": _set_clock(CaseFactory(submitted=True), WarningLevel.YELLOW, today + 2 * day),
        "red": _set_clock(CaseFactory(submitted=True), WarningLevel.RED, today),
        "overdue": _set_clock(CaseFactory(submitted=True), WarningLevel.OVERDUE, today - 3 * day),
    }
    return cases


def test_filter_by_warning_level(client, cast):
    c = _urgency_cast()
    client.force_login(cast.clerk)
    url = reverse("cases:clerk_workbench")

    def rows(**params):
        return listed(client.get(url, params))

    assert set(rows()) == set(c.values())
    assert set(rows(level="")) == set(c.values())
    assert rows(level="overdue") == [c["overdue"]]
    assert set(rows(level="red")) == {c["red"], c["red_late"]}
    assert rows(level="red", sort="due") == [c["red"], c["red_late"]]
    assert rows(level="yellow") == [c["yellow"]]
    assert rows(level="green") == [c["green"]]
    # combined with the other filters
    assert rows(level="red", q=c["red_late"].number) == [c["red_late"]]
    assert rows(level="red", state=CaseState.SUPPLEMENT_REQUESTED) == []
    assert rows(level="overdue", sort="urgent") == [c["overdue"]]


def test_sort_most_urgent_first(client, cast):
    c = _urgency_cast()
    client.force_login(cast.clerk)
    rows = listed(client.get(reverse("cases:clerk_workbench"), {"sort": "urgent"}))
    # overdue, red (earliest due first), yellow, green, then cases without a running clock
    assert rows == [c["overdue"], c["red"], c["red_late"], c["yellow"], c["green"], c["none"]]


def test_urgency_sort_on_the_approver_workbench(client, cast):
    today = timezone.localdate()
    green = _set_clock(CaseFactory(accepted=True), WarningLevel.GREEN, today + datetime.timedelta(days=5))
    overdue = _set_clock(CaseFactory(accepted=True), WarningLevel.OVERDUE, today - datetime.timedelta(days=1))
    client.force_login(cast.approver)
    url = reverse("cases:approver_workbench")
    assert listed(client.get(url, {"sort": "urgent"})) == [overdue, green]
    assert listed(client.get(url, {"level": "green"})) == [green]


def test_warning_level_filter_is_on_the_page_and_keeps_its_value_across_pages(client, cast):
    cases = _make(30, submitted=True)
    for case in cases:
        _set_clock(case, WarningLevel.YELLOW, timezone.localdate())
    client.force_login(cast.clerk)
    response = client.get(reverse("cases:clerk_workbench"), {"level": "yellow", "sort": "urgent"})
    html = response.content.decode()
    assert 'name="level"' in html
    for label in ("全部预警", "已超期", "即将超期", "临期", "正常", "最紧急在前"):
        assert label in html
    assert '<option value="yellow" selected>' in html
    assert "level=yellow" in html and "page=2" in html  # the pager keeps the filter


def test_bad_warning_level_does_not_break_the_page(client, cast):
    _make(2, submitted=True)
    client.force_login(cast.clerk)
    response = client.get(reverse("cases:clerk_workbench"), {"level": "purple", "sort": "sideways"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2


def test_pages_of_25_and_masked_id_numbers(client, cast):
    cases = _make(30, submitted=True)
    client.force_login(cast.clerk)
    first = client.get(reverse("cases:clerk_workbench"))
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("cases:clerk_workbench") + "?page=2")
    assert len(second.context["page"].object_list) == 5
    html = first.content.decode() + second.content.decode()
    for case in cases:
        assert case.applicant.id_number not in html
    assert cases[0].applicant.masked_id_number in html


def test_find_by_number_name_or_id_number(client, cast):
    target, *others = _make(5, submitted=True)
    client.force_login(cast.clerk)
    url = reverse("cases:clerk_workbench")
    for q in (target.number, target.applicant.id_number, target.applicant_name[:2]):
        rows = listed(client.get(url, {"q": q}))
        assert target in rows, q
    rows = listed(client.get(url, {"q": target.number}))
    assert rows == [target]


def test_filter_by_state_item_and_age_and_sort(client, cast):
    old_version = ItemVersionFactory()
    old = CaseFactory(item_version=old_version, submitted=True)
    old.received_at = timezone.now() - datetime.timedelta(days=20)
    old.save()
    new = CaseFactory(submitted=True)
    supplement = CaseFactory(supplement_requested=True)
    client.force_login(cast.clerk)
    url = reverse("cases:clerk_workbench")

    def rows(**params):
        return listed(client.get(url, params))

    assert set(rows()) == {old, new, supplement}  # default: the intake queue
    assert rows(state=CaseState.SUPPLEMENT_REQUESTED) == [supplement]
    assert rows(item=old_version.item.pk) == [old]
    assert rows(age="15") == [old]
    assert rows(sort="oldest")[0] == old
    assert rows(sort="newest")[-1] == old


def test_bad_filter_values_do_not_break_the_page(client, cast):
    cases = _make(2, submitted=True)
    client.force_login(cast.clerk)
    bad = {"state": "nonsense", "item": "abc", "age": "-1", "level": "<script>", "sort": "9999-12-31", "page": "999"}
    response = client.get(reverse("cases:clerk_workbench"), bad)
    assert response.status_code == 200
    # The bad values are ignored: the default queue is shown, with its rows.
    assert set(listed(response)) == set(cases)
    html = response.content.decode()
    assert all(case.number in html for case in cases)


def test_approver_queue_is_accepted_cases_of_the_department(client, cast):
    accepted = _make(2, accepted=True)
    submitted = _make(1, submitted=True)
    client.force_login(cast.approver)
    rows = listed(client.get(reverse("cases:approver_workbench")))
    assert set(rows) == set(accepted)
    assert submitted[0] not in rows
    client.force_login(cast.other_approver)
    assert listed(client.get(reverse("cases:approver_workbench"))) == []


def test_clerk_of_another_county_sees_none_of_them(client, cast):
    _make(3, submitted=True)
    client.force_login(cast.other_clerk)
    assert listed(client.get(reverse("cases:clerk_workbench"))) == []


def test_workbenches_are_for_their_roles_only(client, cast):
    client.force_login(cast.citizen)
    assert client.get(reverse("cases:clerk_workbench")).status_code == 404
    assert client.get(reverse("cases:approver_workbench")).status_code == 404
    client.force_login(cast.approver)
    assert client.get(reverse("cases:clerk_workbench")).status_code == 404


def test_login_lands_clerk_and_approver_on_their_workbench(client, cast):
    client.force_login(cast.clerk)
    assert client.get(reverse("workbench"))["Location"] == reverse("cases:clerk_workbench")
    client.force_login(cast.approver)
    assert client.get(reverse("workbench"))["Location"] == reverse("cases:approver_workbench")


def test_workbench_filters_render_in_english(client, cast):
    _make(2, submitted=True)
    client.force_login(cast.clerk)
    url = reverse("cases:clerk_workbench")
    response = client.get(url, {"level": "green", "sort": "urgent"}, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert 'name="level"' in response.content.decode()
