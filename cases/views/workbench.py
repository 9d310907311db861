"""Workbenches of window clerks and approvers: find a case by number, applicant name, ID number or
mobile; filter by state, item, age and warning level; sort (most urgent first among others); 25 per page.

The page costs the same few queries whatever the data (the list is one query with its joins, plus a
bounded count and the item choices), and the same time whatever the closed history: the default view
of each queue reads its open work through the partial index that holds only it (`case_intake_queue_*`
for the window, `case_decision_queue_dept` for the approver); a filter on one past state reads that
state's rows of the hall or department (`case_hall_state_received`, `case_dept_state_received`); the
count stops at 10,000 (hall.paging.BoundedPaginator)."""

from datetime import timedelta
from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from hall.constants import StaffRole
from hall.paging import BoundedPaginator
from hall.validators import normalise_identifier
from items.models import Item

from .. import permissions
from ..clock import cases_by_urgency
from ..constants import DECISION_QUEUE_STATES, INTAKE_QUEUE_STATES, CaseState
from ..forms import AGES, SORTS, WorkbenchFilterForm
from ..rows import case_lines, local_minute, masked_id_number
from ..selectors import cases_by_person, cases_for_user, workbench_rows

PAGE_SIZE = 25

CLERK_STATES = [s for s in CaseState.values if s != CaseState.DRAFT]
CLERK_DEFAULT_STATES = INTAKE_QUEUE_STATES
APPROVER_STATES = [
    CaseState.ACCEPTED,
    CaseState.SUSPENDED,
    CaseState.APPROVED,
    CaseState.DENIED,
    CaseState.DELIVERED,
    CaseState.ARCHIVED,
]
APPROVER_DEFAULT_STATES = DECISION_QUEUE_STATES


def _rows(user, scope: Q):
    """The caller's cases (cases_for_user, with its joins), narrowed to this workbench's role. A bundle's
    parent is not worked on itself (each child is reviewed and decided), so it is left out."""
    return cases_for_user(user).filter(scope, item_version__isnull=False).exclude(state=CaseState.DRAFT)


def search_filter(q: str) -> Q:
    """Exact case number, the applicant's ID number or mobile, or the start of the applicant's (or
    enterprise's) name: each a condition on an indexed column of the case itself, so PostgreSQL combines
    the three indexes (BitmapOr) instead of reading the cases through a join."""
    q = q.strip()
    upper = normalise_identifier(q)  # full-width or spaced case numbers and ID numbers find the same rows
    return Q(number=upper) | cases_by_person(q) | Q(applicant_name__startswith=q)


def _filtered(rows, form: WorkbenchFilterForm, default_states: list[str]):
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("q"):
        rows = rows.filter(search_filter(data["q"]))
    if data.get("state"):
        rows = rows.filter(state=data["state"])
    elif not data.get("q"):
        rows = rows.filter(state__in=default_states)
    if data.get("item"):
        rows = rows.filter(item_version__item=data["item"])
    if data.get("age"):
        days = AGES[data["age"]][0]
        rows = rows.filter(received_at__lte=timezone.now() - timedelta(days=days))
    sort = data.get("sort") or "oldest"
    if data.get("level") or sort == "urgent":
        # The stored warning level (kept current by the SLA scan): overdue, red, yellow, green, then none.
        rows = cases_by_urgency(rows, data.get("level") or None)
        if sort == "urgent":
            return rows
    field = SORTS.get(sort, SORTS["oldest"])[0]
    # Cases without a due date (or not yet received) go last on every database.
    order = F(field[1:]).desc(nulls_last=True) if field.startswith("-") else F(field).asc(nulls_last=True)
    return rows.order_by(order, "pk")


def _filter_data(request):
    """The filter fields of the query (the page number is not one): None when the queue is unfiltered."""
    data = request.GET.copy()
    data.pop("page", None)
    return data or None


LINE = (
    '<tr data-case="{number}"><td><a href="{url}">{number}</a></td><td class="small">{title}</td>'
    '<td>{applicant}</td><td class="small font-monospace">{id_number}</td>'
    '<td class="small">{received}<div class="text-muted">{hall}</div></td>'
    '<td><span class="badge text-bg-secondary state-{state}">{state_label}</span></td>'
    '<td class="small">{badge}</td></tr>'
)


def _lines(rows, detail_url: str) -> list[SimpleNamespace]:
    """A page's lines, rendered (cases.rows.case_lines), the applicant's ID number masked."""
    return case_lines(
        rows,
        LINE,
        detail_url,
        lambda row: {
            "title": row.item_version__name,
            "applicant": row.applicant_name,
            "id_number": masked_id_number(row.applicant__id_number_index, row.applicant_id_token),
            "received": local_minute(row.received_at),
            "hall": row.receiving_hall__name,
        },
    )


def _workbench(request, *, role: str, scope: Q, items, states, default_states, detail_url: str):
    form = WorkbenchFilterForm(_filter_data(request), states=states, items=items)
    rows = _filtered(_rows(request.user, scope), form, default_states)
    page = BoundedPaginator(workbench_rows(rows), PAGE_SIZE, count_of=rows).get_page(request.GET.get("page"))
    page.object_list = _lines(page.object_list, detail_url)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "role": role,
        "role_label": StaffRole(role).label,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "default_states": [CaseState(s).label for s in default_states],
    }
    context["filters"] = _filters_html(request, role, context)
    return render(request, "cases/workbench.html", context)


FILTERS_CACHE_SECONDS = 60


def _filters_html(request, role: str, context: dict) -> str:
    """The filter form. Unfilled (the queue as it opens, most requests) it is the same for everyone with
    the same halls or departments, and rendering its item list is a third of the page's time: it is
    kept for a minute (a new item shows in the list within that minute)."""
    if _filter_data(request):
        return mark_safe(render_to_string("cases/includes/workbench_filters.html", context, request=request))  # noqa: S308
    scope = sorted(a.hall_id or a.department_id or 0 for a in permissions._assignments(request.user) if a.role == role)
    key = f"tongban:workbench-filters:{role}:{get_language()}:{','.join(map(str, scope))}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("cases/includes/workbench_filters.html", context, request=request)
        cache.set(key, html, FILTERS_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - our own template's output


@login_required
def clerk_workbench(request):
    """综合窗口: the cases received at the clerk's halls or handed to them."""
    halls = permissions.halls_with_role(request.user, StaffRole.WINDOW_CLERK)
    if not halls:
        raise Http404
    items = (
        Item.objects.filter(current_version__receivable_halls__in=halls)
        .select_related("current_version")
        .distinct()
        .order_by("current_version__name")
    )
    return _workbench(
        request,
        role=StaffRole.WINDOW_CLERK,
        scope=Q(receiving_hall__in=halls) | Q(handed_to_hall__in=halls),
        items=items,
        states=CLERK_STATES,
        default_states=CLERK_DEFAULT_STATES,
        detail_url="cases:review",
    )


@login_required
def approver_workbench(request):
    """后台审批: the accepted cases of the approver's departments (the queue), and their past decisions."""
    departments = permissions.departments_with_role(request.user, StaffRole.APPROVER)
    if not departments:
        raise Http404
    items = Item.objects.filter(department__in=departments).select_related("current_version").order_by("pk")
    return _workbench(
        request,
        role=StaffRole.APPROVER,
        scope=Q(owning_department__in=departments, state__in=APPROVER_STATES),
        items=items,
        states=APPROVER_STATES,
        default_states=APPROVER_DEFAULT_STATES,
        detail_url="cases:decide",
    )
