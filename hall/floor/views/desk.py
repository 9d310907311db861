"""The window desk (窗口叫号): a clerk signs in at a window, calls the next ticket, recalls it,
marks it missed or served, or transfers it; a floor guide issues priority (V) tickets here.
Serving a ticket opens counter intake prefilled from it (cases reads `?ticket=`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ...constants import WindowCategory
from ...models import Hall, Ticket, Window, WindowSeat
from ...selectors import assignments_for_user
from ..clock import floor_today
from ..constants import PriorityReason, TicketState
from ..selectors import waiting_counts
from ..tickets import (
    FLOOR_STAFF_ROLES,
    ticket_call_next,
    ticket_issue,
    ticket_miss,
    ticket_recall,
    ticket_serve,
    ticket_transfer,
    window_sign_in,
    window_sign_out,
)
from .common import refusal


def _floor_halls(request) -> list[Hall]:
    """The halls where the caller works a window; 404 for everyone else."""
    halls = {a.hall_id: a.hall for a in assignments_for_user(request.user) if a.role in FLOOR_STAFF_ROLES}
    if not halls:
        raise Http404
    return sorted(halls.values(), key=lambda hall: hall.code)


WINDOW_OPTION = '<option value="{}">{} {}号 {}{}</option>'


def _window_options(halls) -> list[str]:
    """The windows to sign in at, as rendered options: plain values (no instance of the window, its hall
    or the clerk seated there, whose personal fields would be decrypted for a name)."""
    categories = dict(WindowCategory.choices)
    windows = (
        Window.objects.filter(hall__in=halls)
        .order_by("hall__code", "number")
        .values_list("pk", "hall__name", "number", "category", "seat__clerk__real_name", "seat__clerk__username")
    )
    return [
        format_html(
            WINDOW_OPTION,
            pk,
            hall_name,
            number,
            categories.get(category, category),
            f"（{real_name or username}）" if username else "",
        )
        for pk, hall_name, number, category, real_name, username in windows
    ]


def _my_window(request, pk: int) -> Window:
    hall_ids = [hall.pk for hall in _floor_halls(request)]
    return get_object_or_404(Window, pk=pk, hall_id__in=hall_ids)


@login_required
@require_GET
def desk(request):
    halls = _floor_halls(request)
    seat = WindowSeat.objects.filter(clerk=request.user).select_related("window__hall").first()
    hall = seat.window.hall if seat else halls[0]
    current = (
        Ticket.objects.filter(window=seat.window, state=TicketState.CALLED).select_related("person").first()
        if seat
        else None
    )
    context = {
        "hall": hall,
        "seat": seat,
        "current": current,
        "window_options": [] if seat else _window_options(halls),
        "waiting": waiting_counts(hall, floor_today()),
        "categories": WindowCategory.choices,
        "priority_reasons": PriorityReason.choices,
    }
    return render(request, "hall/floor/desk.html", context)


@login_required
@require_POST
def desk_sign_in(request):
    window = _my_window(request, _int(request.POST.get("window")))
    try:
        window_sign_in(clerk=request.user, window=window)
    except (ValidationError, PermissionDenied) as error:
        _refuse(request, error)
    else:
        messages.success(request, _("已登录 %(number)s 号窗口。") % {"number": window.number})
    return redirect("floor:desk")


@login_required
@require_POST
def desk_sign_out(request):
    window = _my_window(request, _int(request.POST.get("window")))
    window_sign_out(clerk=request.user, window=window)
    return redirect("floor:desk")


@login_required
@require_POST
def desk_call(request):
    window = _my_window(request, _int(request.POST.get("window")))
    try:
        ticket = ticket_call_next(clerk=request.user, window=window)
    except (ValidationError, PermissionDenied) as error:
        _refuse(request, error)
    else:
        if ticket is None:
            messages.info(request, _("当前没有等候的群众。"))
        else:
            messages.success(
                request, _("请 %(number)s 号到 %(window)s 号窗口") % {"number": ticket.number, "window": window.number}
            )
    return redirect("floor:desk")


@login_required
@require_POST
def desk_ticket(request, pk: int, action: str):
    window = _my_window(request, _int(request.POST.get("window")))
    ticket = get_object_or_404(Ticket, pk=pk, hall_id=window.hall_id)
    try:
        if action == "recall":
            ticket_recall(clerk=request.user, window=window, ticket=ticket)
        elif action == "miss":
            ticket_miss(clerk=request.user, window=window, ticket=ticket)
        elif action == "serve":
            ticket = ticket_serve(clerk=request.user, window=window, ticket=ticket)
            return redirect(_intake_url(ticket))
        elif action == "transfer":
            new = ticket_transfer(
                clerk=request.user, window=window, ticket=ticket, category=request.POST.get("category", "")
            )
            messages.success(
                request,
                _("已转至%(category)s，新号 %(number)s。")
                % {"category": new.get_category_display(), "number": new.number},
            )
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as error:
        _refuse(request, error)
    return redirect("floor:desk")


@login_required
@require_POST
def desk_priority(request):
    """A floor guide issues a priority (V) ticket for the elderly, disabled or pregnant."""
    halls = _floor_halls(request)
    hall = next((h for h in halls if str(h.pk) == request.POST.get("hall")), halls[0])
    try:
        ticket = ticket_issue(
            hall=hall,
            category=request.POST.get("category", ""),
            id_number=request.POST.get("id_number", "")[:40],
            priority_reason=request.POST.get("priority_reason", "") or PriorityReason.OTHER,
            issued_by=request.user,
        )
    except (ValidationError, PermissionDenied) as error:
        _refuse(request, error)
        return redirect("floor:desk")
    return redirect("floor:ticket", hall_code=hall.code, pk=ticket.pk)


def _intake_url(ticket: Ticket) -> str:
    """Counter intake prefilled from the ticket (the cases app reads `?ticket=`)."""
    try:
        return f"{reverse('cases:counter')}?ticket={ticket.pk}"
    except NoReverseMatch:
        return reverse("floor:desk")


def _refuse(request, error) -> None:
    refusal(request, error if isinstance(error, ValidationError) else ValidationError(str(error)))


def _int(value) -> int:
    return int(value) if value and str(value).isdigit() and len(str(value)) < 10 else 0
