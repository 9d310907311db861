"""The supervisor's page (时限督查): counts of clocks by level per hall and per department, and
the cases at one level (overdue by default), most urgent first. The same few queries whatever the
number of cases: one grouped count for every figure, a bounded count and one page of the list."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from hall.paging import BoundedPaginator

from ..supervision import (
    LEVELS,
    cases_at_level,
    cases_by_ids,
    clocks_for_supervisor,
    supervision_figures,
    supervision_organisation,
    supervision_regions,
)

PAGE_SIZE = 50


@login_required
def supervision(request):
    regions = supervision_regions(request.user)
    if not regions:
        raise Http404
    organisation = supervision_organisation()
    clocks = clocks_for_supervisor(request.user, regions, organisation)
    level = request.GET.get("level", "overdue")
    if level not in [lvl.value for lvl in LEVELS]:
        level = "overdue"
    page = BoundedPaginator(cases_at_level(clocks, level), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = cases_by_ids(list(page.object_list))
    return render(
        request,
        "cases/supervision.html",
        {
            "levels": LEVELS,
            "level": level,
            "level_label": dict((lvl.value, lvl.label) for lvl in LEVELS)[level],
            **supervision_figures(clocks, organisation),
            "page": page,
        },
    )
