"""The supervisor's page (时限督查): counts of clocks by level per hall and per department, and
the cases at one level (overdue by default), most urgent first."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from ..supervision import (
    LEVELS,
    cases_at_level,
    clocks_for_supervisor,
    counts_by_department,
    counts_by_hall,
    counts_total,
    supervision_regions,
)

PAGE_SIZE = 50


def _require_supervisor(request) -> None:
    if not supervision_regions(request.user):
        raise Http404


@login_required
def supervision(request):
    _require_supervisor(request)
    clocks = clocks_for_supervisor(request.user)
    level = request.GET.get("level", "overdue")
    if level not in [lvl.value for lvl in LEVELS]:
        level = "overdue"
    page = Paginator(cases_at_level(clocks, level), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/supervision.html",
        {
            "levels": LEVELS,
            "level": level,
            "level_label": dict((lvl.value, lvl.label) for lvl in LEVELS)[level],
            "totals": counts_total(clocks),
            "by_hall": counts_by_hall(clocks),
            "by_department": counts_by_department(clocks),
            "page": page,
        },
    )
