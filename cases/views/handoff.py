"""Cross-county hand-off pages (全市通办): the halls' hand-off desk, one case's hand-off (custody trail,
stage owners, archive duties and the steps the caller may take), the steps themselves (POST → redirect),
and the supervisor's figures per pair of counties. Every write goes through cases.services.handoff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from hall.constants import StaffRole

from .. import permissions
from ..constants import DECIDED_STATES, CaseState, HandoffState, LegKind
from ..handoff_forms import ForwardForm, ReceiveForm, ResultSendForm, SupplementForwardForm
from ..handoff_selectors import (
    custody_trail,
    figure_regions,
    handoff_figures,
    handoff_of,
    handoffs_incoming,
    handoffs_outgoing,
    results_to_send,
    stage_rows,
)
from ..rows import choice_labels, line, url_maker
from ..services.handoff import (
    handoff_forward,
    handoff_receive,
    handoff_supplement_forward,
    may_forward_now,
    owning_halls,
    supplement_to_forward,
)
from ..services.handoff_result import handoff_result_arrive, handoff_result_send
from .common import case_for, client_ip, is_staff_on

HANDOFF_CHECK = is_staff_on(
    permissions.is_receiving_clerk,
    permissions.is_result_clerk,
    permissions.is_deciding_approver,
    permissions.is_supervisor,
)


def _in(user, hall_id, *roles) -> bool:
    return any(hall_id in permissions.halls_with_role(user, role) for role in roles)


def handoff_steps(case, handoff, user) -> dict:
    """Which steps `user` may take on this hand-off now (the services check again)."""
    if handoff is None:
        return {}
    clerk, result = StaffRole.WINDOW_CLERK, StaffRole.RESULT_CLERK
    legs = list(handoff.legs.all())
    open_legs = [leg for leg in legs if leg.received_at is None]
    owner_clerk = _in(user, handoff.owning_hall_id, clerk)
    result_leg = next((leg for leg in legs if leg.kind == LegKind.RESULT), None)
    owning_side = _in(user, handoff.owning_hall_id, clerk, result) or permissions.is_deciding_approver(case, user)
    return {
        # 异地代收 forwards before review; 代为受理 forwards the file once it has accepted.
        "forward": may_forward_now(case, handoff) and _in(user, handoff.receiving_hall_id, clerk),
        "receive": [leg for leg in open_legs if leg.kind != LegKind.RESULT] if owner_clerk else [],
        "review": owner_clerk and permissions.is_intake_clerk(case, user) and case.state == CaseState.SUBMITTED,
        # The receiving hall's clerk first: supplement_to_forward reads the case's supplements and events.
        "supplement": handoff.mode == "receive_forward"
        and handoff.state != HandoffState.AWAITING_FORWARD
        and _in(user, handoff.receiving_hall_id, clerk)
        and (case.state == CaseState.SUPPLEMENT_REQUESTED or supplement_to_forward(case, handoff)),
        "send_result": owning_side and handoff.result_return and result_leg is None and case.state in DECIDED_STATES,
        "arrive": result_leg is not None
        and result_leg.received_at is None
        and _in(user, result_leg.to_hall_id, clerk, result),
    }


def _render_case(request, case, handoff, forms=None, status=200):
    forms = forms or {}
    steps = handoff_steps(case, handoff, request.user)
    context = {
        "case": case,
        "handoff": handoff,
        "trail": custody_trail(handoff),
        "stages": stage_rows(handoff),
        "steps": steps,
        # A step's form only where the page shows that step (most pages show one or none).
        "forward_form": forms.get("forward")
        or (steps.get("forward") and ForwardForm(halls=owning_halls(case), prefix="forward")),
        "result_form": forms.get("result") or (steps.get("send_result") and ResultSendForm(prefix="result")),
        "supplement_form": forms.get("supplement")
        or (steps.get("supplement") and SupplementForwardForm(prefix="supplement")),
        "receive_error": forms.get("receive_error"),
    }
    return render(request, "cases/handoff_case.html", context, status=status)


def _case_and_handoff(request, pk):
    case = case_for(request, pk, HANDOFF_CHECK)
    handoff = handoff_of(case)
    if handoff is None:
        raise Http404
    return case, handoff


@login_required
def handoff_case(request, pk: int):
    case, handoff = _case_and_handoff(request, pk)
    return _render_case(request, case, handoff)


def _run(request, pk, form_key, form, call, success):
    """Validate, call the service, redirect; a refusal shows the page again with the reason next to the form."""
    case, handoff = _case_and_handoff(request, pk)
    if form is not None and not form.is_valid():
        return _render_case(request, case, handoff, {form_key: form}, status=400)
    try:
        call(case, form.cleaned_data if form is not None else {})
    except PermissionDenied as error:
        messages.error(request, str(error) or _("您无权对该办件执行此操作。"))
        return redirect("cases:handoff", pk=case.pk)
    except ValidationError as error:
        case.refresh_from_db()
        handoff = handoff_of(case)
        if form is not None:
            for message in error.messages:
                form.add_error(None, message)
            return _render_case(request, case, handoff, {form_key: form}, status=400)
        return _render_case(request, case, handoff, {form_key: error.messages}, status=400)
    messages.success(request, success)
    return redirect("cases:handoff", pk=case.pk)


@login_required
@require_POST
def forward(request, pk: int):
    case = case_for(request, pk, HANDOFF_CHECK)
    form = ForwardForm(request.POST, halls=owning_halls(case) if case.item_version_id else None, prefix="forward")

    def call(case, data):
        handoff_forward(
            case=case,
            actor=request.user,
            to_hall=data["to_hall"],
            paper_carrier=data["paper_carrier"],
            paper_tracking=data["paper_tracking"],
            note=data["note"],
            ip=client_ip(request),
        )

    return _run(request, pk, "forward", form, call, _("已转交属地大厅：电子材料即时送达，纸质原件按单号跟踪。"))


@login_required
@require_POST
def receive(request, pk: int):
    form = ReceiveForm(request.POST)

    def call(case, data):
        handoff_receive(
            case=case,
            actor=request.user,
            leg_kind=data["leg_kind"],
            tracking_number=data["tracking_number"],
            ip=client_ip(request),
        )

    case, handoff = _case_and_handoff(request, pk)
    if not form.is_valid():
        return _render_case(request, case, handoff, {"receive_error": [_("请选择要确认接收的材料。")]}, status=400)
    try:
        call(case, form.cleaned_data)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect("cases:handoff", pk=case.pk)
    except ValidationError as error:
        case.refresh_from_db()
        return _render_case(request, case, handoff_of(case), {"receive_error": error.messages}, status=400)
    messages.success(request, _("已确认接收。"))
    return redirect("cases:handoff", pk=case.pk)


@login_required
@require_POST
def supplement_forward(request, pk: int):
    form = SupplementForwardForm(request.POST, prefix="supplement")

    def call(case, data):
        handoff_supplement_forward(
            case=case,
            actor=request.user,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            ip=client_ip(request),
        )

    return _run(request, pk, "supplement", form, call, _("补正材料已提交并转交属地大厅。"))


@login_required
@require_POST
def result_send(request, pk: int):
    form = ResultSendForm(request.POST, prefix="result")

    def call(case, data):
        handoff_result_send(
            case=case,
            actor=request.user,
            tracking_number=data["tracking_number"],
            carrier=data["carrier"],
            ip=client_ip(request),
        )

    return _run(request, pk, "result", form, call, _("办理结果已寄往收件大厅。"))


@login_required
@require_POST
def result_arrive(request, pk: int):
    case, handoff = _case_and_handoff(request, pk)
    try:
        handoff_result_arrive(case=case, actor=request.user, ip=client_ip(request))
    except PermissionDenied as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已确认办理结果到达，可通知申请人领取。"))
    return redirect("cases:handoff", pk=case.pk)


@login_required
def desk(request):
    """The hall's hand-offs: incoming to confirm and review (owning hall), outgoing to forward and results
    on their way back (receiving hall), results to send back (owning side)."""
    user = request.user
    if not any(permissions.halls_with_role(user, role) for role in (StaffRole.WINDOW_CLERK, StaffRole.RESULT_CLERK)):
        regions = figure_regions(user)
        if regions is None or regions:  # a supervisor: the figures
            return redirect("cases:handoff_figures")
        raise Http404
    which = request.GET.get("list", "incoming")
    after = request.GET.get("after")
    incoming = handoffs_incoming(user, after=after if which == "incoming" else None)
    outgoing = handoffs_outgoing(user, after=after if which == "outgoing" else None)
    to_send = results_to_send(user, after=after if which == "to-send" else None)
    url, states = url_maker("cases:handoff"), choice_labels(HandoffState)
    incoming.object_list = [_desk_line(row, url, states) for row in incoming]
    outgoing.object_list = [_desk_line(row, url, states) for row in outgoing]
    to_send.object_list = [
        line(
            SEND_LINE,
            url=url(row.case_id),
            number=row.case__number,
            title=row.case__item_version__name or "",
            to=row.receiving_hall__name,
        )
        for row in to_send
    ]
    return render(request, "cases/handoff_desk.html", {"incoming": incoming, "outgoing": outgoing, "to_send": to_send})


DESK_LINE = (
    '<tr data-handoff-row="{case_id}"><td><a href="{url}">{number}</a></td><td>{title}</td>'
    "<td>{receiving}</td><td>{owning}</td><td>{state}</td><td>{due}</td></tr>"
)
SEND_LINE = '<li><a href="{url}">{number}</a> {title} → {to}</li>'


def _desk_line(row, url, states):
    """One hand-off of the desk's lists, rendered (cases.rows.line)."""
    return line(
        DESK_LINE,
        case_id=row.case_id,
        url=url(row.case_id),
        number=row.case__number,
        title=row.case__item_version__name or "",
        receiving=row.receiving_hall__name,
        owning=row.owning_hall__name,
        state=states.get(row.state, row.state),
        due=row.next_due.strftime("%Y-%m-%d") if row.next_due else "—",
    )


@login_required
def figures(request):
    regions = figure_regions(request.user)
    if regions is not None and not regions:
        raise Http404
    figures = handoff_figures(request.user, regions=regions)
    return render(request, "cases/handoff_figures.html", {"figures": figures, "all_pairs": regions is None})
