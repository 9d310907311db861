"""The public figures (公示, 国办发〔2019〕51号: results published): read from the summary rows
(FigureRow) that the services keep, grouped per hall, department, item or month, cached per
generation of the summary (a rating, a fix or the 未评价 sweep starts a new one).

Definitions (the page says them too):
- counted ratings: each service's latest rating (a follow-up replaces the first), without the ones
  an upheld appeal excluded; 未评价 services are counted apart, never as a level;
- satisfaction rate = (非常满意 + 满意 + 基本满意) ÷ counted ratings;
- rectification rate = rectified tickets ÷ bad-rating tickets (upheld appeals left out);
- average rectification time = working days from the ticket to its fix, averaged over the fixes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from .constants import Level
from .models import FIGURE_COUNTERS, FigureRow
from .services.figures import figures_generation

GROUPS = {
    "hall": ("hall_id", "hall__name", _("大厅")),
    "department": ("department_id", "department__name", _("部门")),
    "item": ("item_id", "item__base_item__name", _("事项")),
    "month": ("month", "month", _("月份")),
}
CACHE_SECONDS = 300


@dataclass
class FigureLine:
    label: str
    counts: dict = field(default_factory=dict)

    def __getattr__(self, name):
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    @property
    def levels(self) -> list[int]:
        return [self.counts[f"level_{code}"] for code in Level.values]

    @property
    def good(self) -> int:
        return self.counts["level_1"] + self.counts["level_2"] + self.counts["level_3"]

    @property
    def bad(self) -> int:
        return self.counts["level_4"] + self.counts["level_5"]

    @property
    def satisfaction(self) -> float | None:
        return round(100 * self.good / self.counts["rated"], 1) if self.counts["rated"] else None

    @property
    def rectification_rate(self) -> float | None:
        tickets = self.counts["bad_tickets"]
        return round(100 * self.counts["rectified"] / tickets, 1) if tickets else None

    @property
    def rectify_days_avg(self) -> float | None:
        done = self.counts["rectified"]
        return round(self.counts["rectify_days"] / done, 1) if done else None


def _label(group: str, value) -> str:
    if value is None:
        return str(_("（未归属）"))
    if group == "month":
        return f"{value:%Y-%m}"
    return str(value)


def _public_rows():
    # A row of a month without any service of its own holds only the tickets opened that month (the
    # supervisor's counters): the public figures go by the service's month and leave it out.
    return FigureRow.objects.filter(services__gt=0)


def figures_table(*, group: str = "hall", year: int | None = None, hall_id: int | None = None):
    """(lines, total) of the public figures grouped by `group`; cached per summary generation."""
    group = group if group in GROUPS else "hall"
    key = f"evaluation:figures:{figures_generation()}:{group}:{year or 0}:{hall_id or 0}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = _public_rows()
    if year:
        rows = rows.filter(month__gte=dt.date(year, 1, 1), month__lt=dt.date(year + 1, 1, 1))
    if hall_id:
        rows = rows.filter(hall_id=hall_id)
    ident, label, _title = GROUPS[group]
    sums = {name: Sum(name) for name in FIGURE_COUNTERS}
    grouped = rows.values(ident, label).annotate(**sums).order_by(label, ident)
    lines = [
        FigureLine(_label(group, row[label]), {name: row[name] or 0 for name in FIGURE_COUNTERS}) for row in grouped
    ]
    totals = rows.aggregate(**sums)
    total = FigureLine(str(_("合计")), {name: totals[name] or 0 for name in FIGURE_COUNTERS})
    result = (lines, total)
    cache.set(key, result, CACHE_SECONDS)
    return result


def figure_years() -> list[int]:
    """The years with figures (for the filter), cached per generation like the figures."""
    key = f"evaluation:figures:{figures_generation()}:years"
    years = cache.get(key)
    if years is None:
        months = _public_rows().order_by().values_list("month", flat=True).distinct()
        years = sorted({m.year for m in months}, reverse=True)
        cache.set(key, years, CACHE_SECONDS)
    return years
