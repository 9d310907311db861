"""The public figures page (公示) and its CSV export: no login, read from the cached summary."""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from hall.models import Hall
from hall.pagecache import anonymous_page

from ..charts import level_chart, rate_chart
from ..constants import Level
from ..figures import GROUPS, figure_years, figures_table
from ..services.figures import FIGURE_PAGES, figures_generation


def _filters(request) -> dict:
    group = request.GET.get("by", "hall")
    group = group if group in GROUPS else "hall"
    year = request.GET.get("year", "")
    hall = request.GET.get("hall", "")
    return {
        "group": group,
        "year": int(year) if year.isdigit() else None,
        "hall_id": int(hall) if hall.isdigit() else None,
    }


class FiguresOnPage:
    """The figures and charts, computed only when the page's cached fragment is missing."""

    def __init__(self, filters: dict):
        self.filters = filters

    @cached_property
    def _table(self):
        return figures_table(**self.filters)

    @property
    def lines(self):
        return self._table[0]

    @property
    def total(self):
        return self._table[1]

    @cached_property
    def level_chart(self) -> dict:
        return level_chart(self.total)

    @cached_property
    def rate_chart(self) -> dict:
        return rate_chart(self.lines)


@anonymous_page("rating-figures", seconds=600, generation_of=FIGURE_PAGES)
def figures(request):
    """The figures part of the page is cached as rendered, per generation of the summary and query
    (the template's cache tag): a cached page reads no figures at all."""
    filters = _filters(request)
    context = {
        **filters,
        "generation": figures_generation(),
        "fig": FiguresOnPage(filters),
        "groups": [(key, label) for key, (_i, _l, label) in GROUPS.items()],
        "group_label": GROUPS[filters["group"]][2],
        "levels": Level.choices,
        "years": figure_years(),
        "halls": Hall.objects.order_by("code"),
        "generated_at": timezone.now(),
        "query": request.GET.urlencode(),
    }
    return render(request, "evaluation/figures.html", context)


def _cell(text: str) -> str:
    """A name that a spreadsheet would read as a formula is written as text (CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _pct(value) -> str:
    return "" if value is None else f"{value}"


def figures_csv(request):
    filters = _filters(request)
    lines, total = figures_table(**filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ratings-{filters["group"]}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 Chinese correctly with a BOM
    writer = csv.writer(response)
    writer.writerow(
        [str(GROUPS[filters["group"]][2]), _("服务数"), _("评价数"), _("未评价数")]
        + [str(label) for _code, label in Level.choices]
        + [_("满意率(%)"), _("申诉成立不计入"), _("差评工单"), _("已整改"), _("整改率(%)"), _("平均整改用时(工作日)")]
    )
    for line in [*lines, total]:
        writer.writerow(
            [_cell(line.label), line.services, line.rated, line.unrated, *line.levels, _pct(line.satisfaction),
             line.excluded, line.bad_tickets, line.rectified, _pct(line.rectification_rate),
             _pct(line.rectify_days_avg)]
        )  # fmt: skip
    return response
