"""Rectification tickets for the responsible department, the clerk rated and the supervisors:
the open list, one ticket with its clocks and ledger, and its steps (POST → redirect → GET)."""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cases.constants import WarningLevel
from cases.rows import choice_labels, url_maker

from ..constants import OPEN_TICKET_STATES, AppealDecision, ServiceKind, TicketState
from ..forms import AppealDecisionForm, AppealForm, CallBackForm, RectifyForm
from ..models import Appeal
from ..permissions import can_decide_appeal, can_handle_ticket
from ..selectors import can_see_tickets, get_ticket_for_user, open_tickets_page
from ..services import appeal_decide, ticket_appeal, ticket_call_back, ticket_clock_readings, ticket_rectify


def _require_staff(request) -> None:
    if not can_see_tickets(request.user):
        raise Http404


@login_required
def ticket_list(request):
    _require_staff(request)
    page = ticket_lines(open_tickets_page(request.user, after=request.GET.get("after")))
    return render(request, "evaluation/tickets.html", {"page": page})


def ticket_lines(page):
    """A page of ticket rows made ready to print (its object_list replaced): labels translated once per
    page, URLs from one reverse(), the warning badge of open tickets built here."""
    ticket_url = url_maker("evaluation:ticket")
    states, kinds, levels = choice_labels(TicketState), choice_labels(ServiceKind), choice_labels(WarningLevel)
    page.object_list = [
        SimpleNamespace(
            pk=row.pk,
            url=ticket_url(row.pk),
            level=row.rating__level_label,
            service=row.service__title or kinds.get(row.service__kind, row.service__kind),
            case_number=row.service__case__number,
            department=row.department__name or "—",
            clerk=row.clerk__real_name or "—",
            state=states.get(row.state, row.state),
            due=row.next_due,
            badge=format_html(
                '<span class="badge badge-{}">{}</span>',
                row.warning_level,
                levels.get(row.warning_level, row.warning_level),
            )
            if row.state in OPEN_TICKET_STATES
            else "",
        )
        for row in page.object_list
    ]
    return page


def _detail(request, ticket, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    appeal = Appeal.objects.filter(ticket=ticket).select_related("filed_by", "decided_by").first()
    handler = can_handle_ticket(ticket, request.user)
    context = {
        "ticket": ticket,
        "rating": ticket.rating,
        "service": ticket.service,
        "steps": ticket.steps.all(),
        "clocks": ticket_clock_readings(ticket),
        "appeal": appeal,
        "can_call_back": handler and ticket.is_open and ticket.named and ticket.called_back_at is None,
        "can_rectify": handler and ticket.state == TicketState.OPEN,
        "can_appeal": handler and ticket.state == TicketState.OPEN and appeal is None,
        "can_decide": appeal is not None and not appeal.decision and can_decide_appeal(ticket, request.user),
        "callback_form": forms.get("callback") or CallBackForm(),
        "rectify_form": forms.get("rectify") or RectifyForm(),
        "appeal_form": forms.get("appeal") or AppealForm(),
        "decide_form": forms.get("decide") or AppealDecisionForm(),
    }
    return render(request, "evaluation/ticket.html", context, status=status)


@login_required
def ticket_detail(request, pk: int):
    return _detail(request, get_ticket_for_user(request.user, pk))


def _step(request, pk: int, name: str, form_class, call):
    ticket = get_ticket_for_user(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(ticket, form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已记录。"))
            return redirect("evaluation:ticket", pk=ticket.pk)
    return _detail(request, ticket, {name: form}, status=400)


@login_required
@require_POST
def call_back(request, pk: int):
    return _step(request, pk, "callback", CallBackForm,
                 lambda t, d: ticket_call_back(ticket=t, actor=request.user, note=d["note"]))  # fmt: skip


@login_required
@require_POST
def rectify(request, pk: int):
    return _step(request, pk, "rectify", RectifyForm,
                 lambda t, d: ticket_rectify(ticket=t, actor=request.user, outcome=d["outcome"], note=d["note"]))  # fmt: skip


@login_required
@require_POST
def appeal(request, pk: int):
    return _step(request, pk, "appeal", AppealForm,
                 lambda t, d: ticket_appeal(ticket=t, actor=request.user, reason=d["reason"]))  # fmt: skip


@login_required
@require_POST
def appeal_decision(request, pk: int):
    def decide(ticket, data):
        found = Appeal.objects.filter(ticket=ticket).first()
        if found is None:
            raise ValidationError(_("该工单没有待审核的申诉。"))
        appeal_decide(appeal=found, actor=request.user, upheld=data["decision"] == AppealDecision.UPHELD,
                      reasons=data["reasons"])  # fmt: skip

    return _step(request, pk, "decide", AppealDecisionForm, decide)
