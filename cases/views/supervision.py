"""The supervisor's page (时限督查): counts of clocks by level per hall and per department, and
the cases at one level (overdue by default), most urgent first. The same few queries whatever the
number of cases: one grouped count for every figure, a bounded count and one page of the list."""

from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe

from hall.constants import StaffRole
from hall.paging import BoundedPaginator

from .. import permissions
from ..rows import case_lines
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


LINE = (
    '<tr><td class="text-nowrap"><a href="{url}">{number}</a></td><td>{title}</td>'
    '<td class="d-none d-md-table-cell">{state_label}</td><td class="d-none d-lg-table-cell">{hall}</td>'
    '<td class="d-none d-lg-table-cell">{department}</td><td>{badge}</td></tr>'
)


def _lines(rows, organisation) -> list[SimpleNamespace]:
    """The list's lines, rendered (cases.rows.case_lines): halls and departments named from the
    organisation tables read for the figures, not joined."""
    halls, departments, _ = organisation
    return case_lines(
        rows,
        LINE,
        "cases:detail",
        lambda row: {
            "title": row.item_version__name or row.bundle__name or "",
            "hall": halls.get(row.receiving_hall_id, ("",))[0],
            "department": departments.get(row.owning_department_id, ("",))[0] or "—",
        },
    )


FIGURE_LINE = (
    '<tr><td>{name}</td><td class="text-end">{overdue}</td><td class="text-end">{red}</td>'
    '<td class="text-end">{yellow}</td><td class="text-end">{green}</td><td class="text-end fw-bold">{total}</td></tr>'
)


def _figure_lines(figures: dict) -> dict:
    """Each row of the figures by hall and by department, with its line rendered (`html`): the counts are
    numbers, only the name is escaped."""
    for rows, name_key in (
        (figures["by_hall"], "receiving_hall__name"),
        (figures["by_department"], "owning_department__name"),
    ):
        for row in rows:
            row["html"] = mark_safe(FIGURE_LINE.format_map({**row, "name": escape(row[name_key] or "—")}))  # noqa: S308
    return figures


@login_required
def supervision(request):
    if not permissions.regions_with_role(request.user, StaffRole.SUPERVISOR):
        raise Http404
    organisation = supervision_organisation()
    regions = supervision_regions(request.user, organisation)
    clocks = clocks_for_supervisor(request.user, regions, organisation)
    level = request.GET.get("level", "overdue")
    if level not in [lvl.value for lvl in LEVELS]:
        level = "overdue"
    page = BoundedPaginator(cases_at_level(clocks, level), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _lines(cases_by_ids(list(page.object_list)), organisation)
    return render(
        request,
        "cases/supervision.html",
        {
            "levels": LEVELS,
            "level": level,
            "level_label": dict((lvl.value, lvl.label) for lvl in LEVELS)[level],
            **_figure_lines(supervision_figures(clocks, organisation)),
            "page": page,
        },
    )
