"""The supervisor's ratings page (好差评督查): open and overdue bad ratings, 双归零 per clerk, window,
department and hall, the rectification ledger; and the monthly window-staff assessment."""

import csv
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from ..assessment import staff_assessment
from ..selectors import (
    UNITS,
    double_zero,
    ledger_page,
    open_ticket_counts,
    open_tickets_page,
    supervised_hall_ids,
)
from .figures import _cell
from .tickets import ticket_lines


def _require_supervisor(request) -> set[int]:
    halls = supervised_hall_ids(request.user)
    if not halls:
        raise Http404
    return halls


@login_required
def supervision(request):
    _require_supervisor(request)
    unit = request.GET.get("unit", "department")
    unit = unit if unit in UNITS else "department"
    since = timezone.localdate().replace(month=1, day=1)
    context = {
        "counts": open_ticket_counts(request.user),
        "open_page": ticket_lines(open_tickets_page(request.user, size=10)),
        "unit": unit,
        "units": [("clerk", _("窗口人员")), ("window", _("窗口")), ("department", _("部门")), ("hall", _("大厅"))],
        "double_zero": double_zero(request.user, unit, since=since),
        "since": since,
        "ledger": ticket_lines(ledger_page(request.user, after=request.GET.get("after"))),
    }
    return render(request, "evaluation/supervision.html", context)


def _month(request) -> dt.date:
    value = request.GET.get("month", "")
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
def assessment(request):
    halls = _require_supervisor(request)
    month = _month(request)
    lines = staff_assessment(hall_ids=halls, month=month)
    if request.GET.get("format") == "csv":
        return _assessment_csv(lines, month)
    return render(request, "evaluation/assessment.html", {"lines": lines, "month": month})


def _assessment_csv(lines, month: dt.date) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="assessment-{month:%Y-%m}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("窗口人员"), _("大厅"), _("窗口"), _("服务数"), _("评价数"), _("满意率(%)"), _("差评数"),
                     _("已整改"), _("按期整改"), _("整改超期"), _("超期办件")])  # fmt: skip
    for line in lines:
        writer.writerow([_cell(line.name), _cell(line.hall), line.window, line.services, line.rated,
                         "" if line.satisfaction is None else line.satisfaction, line.bad, line.rectified,
                         line.rectified_in_time, line.overdue_tickets, line.overdue_cases])  # fmt: skip
    return response
