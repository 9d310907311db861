"""hall.paging: keyset pages walk the whole list once, in order, one query per page; a bad cursor shows
the first page; counts stop at the bound."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Case
from hall.paging import BoundedPaginator, bounded_count, keyset_page, keyset_page_of_union
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases():
    first = CaseFactory(submitted=True)
    start = timezone.now() - dt.timedelta(days=30)
    made = [first]
    for _ in range(11):
        made.append(CaseFactory(submitted=True, item_version=first.item_version, applicant=first.applicant))
    # Two pairs share a received_at, so the pk decides within them.
    for i, case in enumerate(made):
        Case.objects.filter(pk=case.pk).update(received_at=start + dt.timedelta(hours=i // 2 * 2 if i < 4 else i))
    return Case.objects.filter(pk__in=[c.pk for c in made])


@pytest.mark.parametrize("order", [("received_at", "pk"), ("-received_at", "-pk")])
def test_keyset_walks_every_row_once_in_order(cases, order, django_assert_num_queries):
    expected = list(cases.order_by(*order).values_list("pk", flat=True))
    seen, cursor = [], None
    while True:
        with django_assert_num_queries(1):
            page = keyset_page(cases, order=order, after=cursor, size=5)
        seen += [c.pk for c in page]
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert seen == expected


def test_bad_cursor_shows_the_first_page(cases):
    for cursor in ["%%%", "bm90IGpzb24", "WyJ4Il0", "WyJub3QgYSBkYXRlIiwgMV0"]:
        page = keyset_page(cases, order=("received_at", "pk"), after=cursor, size=3)
        assert page.is_first
        assert [c.pk for c in page] == list(cases.order_by("received_at", "pk").values_list("pk", flat=True)[:3])


def test_mixed_directions_are_refused(cases):
    with pytest.raises(ValueError):
        keyset_page(cases, order=("received_at", "-pk"))


def test_bounded_count_stops_at_the_bound(cases, django_assert_num_queries):
    with django_assert_num_queries(1):
        count = bounded_count(cases, bound=5)
    assert (count.value, count.more, str(count)) == (5, True, "5+")
    exact = bounded_count(cases, bound=100)
    assert (exact.value, exact.more, str(exact)) == (12, False, "12")


def test_bounded_paginator_never_pages_past_the_bound(cases):
    paginator = BoundedPaginator(cases.order_by("pk"), 2, bound=5)
    assert paginator.count == 5 and paginator.count_label == "5+"
    assert paginator.num_pages == 3
    assert paginator.get_page(99).number == 3


def test_bounded_paginator_counts_the_rows_without_what_the_lines_join(cases):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lines = cases.order_by("pk").values_list("pk", "receiving_hall__name", "applicant__username")
    paginator = BoundedPaginator(lines, 5, bound=100, count_of=cases)
    with CaptureQueriesContext(connection) as seen:
        assert paginator.count == 12
    assert "JOIN" not in seen.captured_queries[0]["sql"].upper()
    assert len(paginator.get_page(1).object_list) == 5


@pytest.mark.parametrize("order", [("received_at", "pk"), ("-received_at", "-pk")])
@pytest.mark.parametrize("size", [1, 3, 5, 20])
def test_union_of_overlapping_branches_walks_every_row_once_in_order(cases, order, size):
    """The branches of an OR, read a page each: every row of the union once, in order, whatever the
    page size, including rows that are in two branches."""
    pks = sorted(cases.values_list("pk", flat=True))
    branches = [cases.filter(pk__in=pks[:8]), cases.filter(pk__in=pks[4:]), cases.filter(pk=pks[5])]
    expected = list(cases.order_by(*order).values_list("pk", flat=True))
    seen, cursor = [], None
    while True:
        page = keyset_page_of_union(branches, order=order, after=cursor, size=size)
        assert len(page) <= size
        seen += [c.pk for c in page]
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert seen == expected
