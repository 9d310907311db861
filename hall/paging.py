"""Paging lists that must not grow with history (DESIGN.md "Lists at a city's volume").

A hall keeps years of closed cases; a list shows a page of its open work. Two tools:

- `keyset_page(queryset, order=("received_at", "pk"), after=cursor)`: the next page "older than this
  one". The rows are found by a range condition on the order columns, so page 400 costs what page 1
  costs (an OFFSET reads and drops every row before it). One query per page.
- `bounded_count(queryset)` and `BoundedPaginator`: "共 10,000+ 件" instead of a COUNT(*) over a set
  that grows; the count stops reading at the bound. BoundedPaginator keeps numbered pages (for lists
  whose open work is small, read through an index that holds only that work) and never counts past
  the bound, so the deepest page it offers is bound ÷ page size.

Both assume the queryset is already scoped to the caller (selectors) and served by an index led by its
filter columns and ending in its order columns.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils.formats import number_format
from django.utils.functional import cached_property

COUNT_BOUND = 10_000
PAGE_SIZE = 25


# ---- bounded count ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoundedCount:
    """A count that stops at `bound`: `value` rows, and `more` when there are more than that."""

    value: int
    more: bool = False

    def __str__(self) -> str:
        text = number_format(self.value, force_grouping=True)
        return f"{text}+" if self.more else text

    def __int__(self) -> int:
        return self.value

    def __bool__(self) -> bool:
        return self.value > 0


def bounded_count(queryset: QuerySet, bound: int = COUNT_BOUND) -> BoundedCount:
    """Count at most `bound` rows: SELECT COUNT(*) FROM (SELECT id … LIMIT bound + 1). One query."""
    found = queryset.order_by().values("pk")[: bound + 1].count()
    return BoundedCount(min(found, bound), found > bound)


class BoundedPaginator(Paginator):
    """A Paginator whose count stops at `bound` (10,000 by default): `count` is at most the bound,
    `count_label` reads "10,000+" when there are more, and a page beyond the bound shows the last one
    (through get_page). Use it where numbered pages are wanted over a small open set.

    `count_of`: the same rows without what the lines show (the cases before their hall's name, item and
    applicant are joined in): PostgreSQL cannot drop an inner join, so counting the lines' own query
    would look up each counted row's hall and applicant too."""

    def __init__(
        self, object_list, per_page=PAGE_SIZE, *, bound: int = COUNT_BOUND, count_of: QuerySet | None = None, **kwargs
    ):
        kwargs.setdefault("allow_empty_first_page", True)
        super().__init__(object_list, per_page, **kwargs)
        self.bound = bound
        self.count_of = count_of

    @cached_property
    def bounded(self) -> BoundedCount:
        if self.count_of is not None:
            return bounded_count(self.count_of, self.bound)
        if isinstance(self.object_list, QuerySet):
            return bounded_count(self.object_list, self.bound)
        found = len(self.object_list)
        return BoundedCount(min(found, self.bound), found > self.bound)

    @cached_property
    def count(self) -> int:
        return self.bounded.value

    @property
    def count_label(self) -> str:
        return str(self.bounded)


# ---- keyset pages -------------------------------------------------------------------------------


@dataclass
class KeysetPage:
    """One page of a keyset list: its rows, and the cursor of the next page (None on the last)."""

    object_list: list
    next_cursor: str | None = None
    cursor: str | None = None  # the cursor this page started after (None on the first page)
    order: tuple = field(default_factory=tuple)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def is_first(self) -> bool:
        return self.cursor is None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __bool__(self) -> bool:
        return bool(self.object_list)


def _field_name(term: str) -> str:
    return term.lstrip("-")


def _model_field(model, name: str):
    if name == "pk":
        return model._meta.pk
    return model._meta.get_field(name)


def _encode(values: list) -> str:
    raw = json.dumps(
        [v if v is None or isinstance(v, int) else v.isoformat() if hasattr(v, "isoformat") else str(v) for v in values]
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, model, names: Sequence[str]) -> list | None:
    """The values of a cursor made by `_encode`, converted by each column's field; None for anything
    that is not such a cursor (a bad cursor shows the first page, never an error)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, binascii.Error, TypeError):
        return None
    if not isinstance(values, list) or len(values) != len(names):
        return None
    converted = []
    for name, value in zip(names, values, strict=True):
        if value is None:
            return None
        try:
            converted.append(_model_field(model, name).to_python(value))
        except (ValidationError, FieldDoesNotExist, TypeError, ValueError):
            return None
    return converted


def _after(names: Sequence[str], values: list, descending: bool) -> Q:
    """Rows after (values) in the order of `names`: (a, b) > (x, y) written so that the first column's
    range (a >= x) can drive the index: a >= x AND (a > x OR (a = x AND b > y))."""
    beyond = "lt" if descending else "gt"
    within = "lte" if descending else "gte"
    condition = Q(**{f"{names[-1]}__{beyond}": values[-1]})
    for name, value in zip(reversed(names[:-1]), reversed(values[:-1]), strict=True):
        condition = Q(**{f"{name}__{beyond}": value}) | (Q(**{name: value}) & condition)
    return Q(**{f"{names[0]}__{within}": values[0]}) & condition


def keyset_page(
    queryset: QuerySet,
    *,
    order: Sequence[str] = ("-created_at", "-pk"),
    after: str | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """The page of `queryset` after the cursor `after` (from a previous page's `next_cursor`), in
    `order`: model columns, all ascending or all descending, that are never null in these rows and end
    in "pk" (or another unique column) so that the order is total. One query (LIMIT size + 1)."""
    terms = tuple(order)
    names = [_field_name(t) for t in terms]
    descending = terms[0].startswith("-")
    if any(t.startswith("-") != descending for t in terms):
        raise ValueError("keyset_page: every order column must go the same way")
    rows = queryset.order_by(*terms)
    values = _decode(after, queryset.model, names) if after else None
    if values is not None:
        rows = rows.filter(_after(names, values, descending))
    fetched = list(rows[: size + 1])
    next_cursor = None
    if len(fetched) > size:
        fetched = fetched[:size]
        last = fetched[-1]
        next_cursor = _encode([getattr(last, n) for n in names])
    return KeysetPage(fetched, next_cursor, after if values is not None else None, terms)


def keyset_page_of_union(
    querysets: Sequence[QuerySet],
    *,
    order: Sequence[str] = ("-created_at", "-pk"),
    after: str | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """keyset_page over the union of `querysets` (the branches of an OR, each served by its own index in
    `order`): each branch's page is read, and the first `size` distinct rows of them all are this page.
    A filter "a OR b" sorted as a whole reads every row of both; each branch read in order reads a page.
    Rows are told apart by "pk"."""
    terms = tuple(order)
    names = [_field_name(t) for t in terms]
    descending = terms[0].startswith("-")
    pages = [keyset_page(qs, order=terms, after=after, size=size) for qs in querysets]
    rows = {}
    for page in pages:
        for row in page.object_list:
            rows[row.pk] = row
    merged = sorted(rows.values(), key=lambda row: tuple(getattr(row, n) for n in names), reverse=descending)
    next_cursor = None
    if len(merged) > size or any(page.has_next for page in pages):
        merged = merged[:size]
        next_cursor = _encode([getattr(merged[-1], n) for n in names])
    cursor = next((page.cursor for page in pages if page.cursor is not None), None)
    return KeysetPage(merged, next_cursor, cursor, terms)
