"""The result window (统一出件) and the back office's production and hand-over: thin views, one access
helper each (404 for outsiders), POST → redirect → GET, a service's refusal shown next to its form."""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cases import permissions
from cases.constants import CaseState, DeliveryMethod
from cases.models import Case
from cases.rows import choice_labels, clock_case, fields_per_row, url_maker
from cases.selectors import get_case_for_user
from cases.templatetags.clock import clock_badge
from cases.views.common import add_service_error, client_ip
from hall.constants import StaffRole

from .. import selectors, services
from ..constants import OrderState
from ..forms import HandoverForm, PickupForm, PostForm, PostOutcomeForm, ProduceForm, ReceiveForm
from ..models import ArchivePackage, ResultHandover
from ..services._common import result_units


def _clerk_only(request) -> None:
    if not selectors.result_halls(request.user):
        raise Http404


def _order_for(request, pk: int):
    order = selectors.order_for_staff(request.user, pk)
    if order is None:
        raise Http404
    return order


@login_required
def workbench(request):
    """出件窗口工作台: hand-overs to count in, results to hand out, to post, posted, electronic, to archive."""
    _clerk_only(request)
    tab = request.GET.get("tab") or "collect"
    if tab not in selectors.WINDOW_TABS:
        tab = "collect"
    counts = selectors.window_counts(request.user)
    context = {"tab": tab, "tabs": [(key, label, counts[key]) for key, label in _tabs()]}
    if tab == "receive":
        context["handovers"] = _handover_cards(request, selectors.handovers_to_receive_rows(request.user))
    else:
        page = selectors.window_page(request.user, tab, after=request.GET.get("after"))
        page.object_list = _order_rows(page.object_list)
        context["page"] = page
    return render(request, "delivery/workbench.html", context)


def _order_rows(rows) -> list[SimpleNamespace]:
    """A window tab's rows, ready to print: labels translated once, URLs from one reverse()."""
    order_url = url_maker("delivery:order")
    methods, states, returned = choice_labels(DeliveryMethod), choice_labels(OrderState), _("邮件退回")
    lines = []
    for row in rows:
        method = methods.get(row.method, row.method)
        if row.returned_at:
            method = f"{method} · {returned}"
        if row.tracking_number:
            method = f"{method} · {row.tracking_number}"
        lines.append(
            SimpleNamespace(
                number=row.case__number,
                url=order_url(row.pk),
                title=row.case__item_version__name or row.case__bundle__name or "",
                applicant=row.case__applicant_name,
                method=method,
                state=states.get(row.state, row.state),
                due=row.due,
                badge=clock_badge(clock_case(row, "case__")),
            )
        )
    return lines


def _handover_cards(request, handovers) -> list:
    """Each hand-over with its orders' lines and the receive form's fields: the form is the same for every
    card but for its ids, rendered once and given each card's own ids."""
    if not handovers:
        return handovers
    methods = choice_labels(DeliveryMethod)
    receive_url = url_maker("delivery:receive")
    marker = "receive-0000-"
    fields = fields_per_row(request, "delivery/_receive_fields.html", ReceiveForm(auto_id=f"{marker}%s"), marker)
    for handover in handovers:
        handover.url = receive_url(handover.pk)
        handover.fields = fields(f"receive-{handover.pk}-")
        handover.lines = [
            f"{o.case__number} {o.case__item_version__name or o.case__bundle__name or ''}"
            f"（{methods.get(o.method, o.method)}）"
            for o in handover.orders
        ]
    return handovers


def _tabs():
    return [
        ("receive", _("待签收交接")),
        ("collect", _("待领取")),
        ("post", _("待邮寄")),
        ("posted", _("已寄出")),
        ("electronic", _("电子送达")),
        ("archive", _("待归档")),
    ]


@login_required
@require_POST
def receive(request, pk: int):
    _clerk_only(request)
    handover = get_object_or_404(ResultHandover, pk=pk, hall_id__in=selectors.result_halls(request.user))
    form = ReceiveForm(request.POST)
    if form.is_valid():
        try:
            services.result_handover_receive(
                handover=handover, actor=request.user, ip=client_ip(request), **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("已签收 %(count)s 件办理结果，已通知申请人领取。") % {"count": handover.count})
            return redirect(f"{_workbench_url()}?tab=collect")
    else:
        messages.error(request, _("请填写清点件数并签名。"))
    return redirect(f"{_workbench_url()}?tab=receive")


def _workbench_url() -> str:
    return reverse("delivery:workbench")


def _order_context(request, order, **forms) -> dict:
    units = result_units(order.case)
    results = [(unit, services.result_document(unit)) for unit in units]
    proof = getattr(order, "proof", None) if order.state in (OrderState.DELIVERED, OrderState.ARCHIVED) else None
    context = {
        "order": order,
        "case": order.case,
        "results": results,
        "proof": proof,
        "package": _package_of(order.case_id),
        "pickup_form": PickupForm(),
        "post_form": PostForm(),
        "outcome_form": PostOutcomeForm(),
        "at_window": order.state == OrderState.AT_WINDOW,
        "may_pickup": order.state == OrderState.AT_WINDOW
        and (order.method == DeliveryMethod.PICKUP or order.returned_at is not None),
        "may_post": order.state == OrderState.AT_WINDOW
        and order.method == DeliveryMethod.POST
        and order.returned_at is None,
        "may_outcome": order.state == OrderState.POSTED,
        "may_archive": order.state == OrderState.DELIVERED,
        "is_window": order.hall_id in selectors.result_halls(request.user),
    }
    context.update(forms)
    return context


def _package_of(case_id: int) -> SimpleNamespace | None:
    """The case's archive package as the page links it (its pk), without reading its manifest."""
    pk = ArchivePackage.objects.filter(case_id=case_id).values_list("pk", flat=True).first()
    return SimpleNamespace(pk=pk) if pk else None


@login_required
def order(request, pk: int):
    """One result on its way: the case, its results, and the step the window takes next."""
    order = _order_for(request, pk)
    return render(request, "delivery/order.html", _order_context(request, order))


def _act(request, pk: int, form_class, form_key: str, call, success: str):
    """Run one window step: the form, the service, then back to the order page (or the form with its error)."""
    order = _order_for(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(order, form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, success)
            return redirect("delivery:order", pk=order.pk)
    order.refresh_from_db()
    return render(request, "delivery/order.html", _order_context(request, order, **{form_key: form}), status=400)


@login_required
@require_POST
def pickup(request, pk: int):
    def call(order, data):
        services.delivery_pickup(order=order, actor=request.user, ip=client_ip(request), **data)

    return _act(request, pk, PickupForm, "pickup_form", call, _("已记录签收，送达回证已生成，可以打印。"))


@login_required
@require_POST
def post(request, pk: int):
    def call(order, data):
        services.delivery_post(order=order, actor=request.user, ip=client_ip(request), **data)

    return _act(request, pk, PostForm, "post_form", call, _("已登记寄出，并已通知申请人运单号。"))


@login_required
@require_POST
def post_outcome(request, pk: int):
    def call(order, data):
        services.delivery_post_outcome(order=order, actor=request.user, ip=client_ip(request), **data)

    return _act(request, pk, PostOutcomeForm, "outcome_form", call, _("已登记投递结果。"))


@login_required
@require_POST
def archive(request, pk: int):
    """归档 from the result window or the case page (the case's staff)."""
    case = get_case_for_user(request.user, pk)
    try:
        package = services.case_archive(case=case, actor=request.user, ip=client_ip(request))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("已归档，归档包校验值 %(sha)s。") % {"sha": package.sha256[:16] + "…"})
    return redirect("cases:detail", pk=case.parent_id or case.pk)


# ---- the back office: produce and hand over ------------------------------------------------------


def _approver_only(request) -> None:
    if not permissions.departments_with_role(request.user, StaffRole.APPROVER):
        raise Http404


@login_required
def production(request):
    """制证与移交: decided cases to produce (a page at a time, in due order), produced paper results to hand
    to the result windows."""
    _approver_only(request)
    handover_orders = selectors.to_hand_over(request.user)
    return render(
        request, "delivery/production.html", _production_context(request, HandoverForm(orders=handover_orders))
    )


def _production_context(request, handover_form) -> dict:
    page = selectors.production_page(request.user, after=request.GET.get("after"))
    page.object_list = _produce_cards(request, page.object_list)
    choices = handover_form.fields["orders"].choices
    return {
        "page": page,
        "handover_form": handover_form,
        "has_handover": bool(choices),
        "orders_fieldset": None if handover_form.is_bound else _orders_fieldset(handover_form, choices),
    }


def _orders_fieldset(form, choices) -> str:
    """The unchecked list of results to hand over, in the markup crispy gives the field (one line per
    result, built here: the field's templates per checkbox were a large part of the page). A posted
    form with its errors is rendered by crispy."""
    field = form["orders"]
    options = format_html_join(
        "",
        '<div class="form-check"><input type="checkbox" class="form-check-input" name="{}" value="{}" '
        'id="{}_{}"><label for="{}_{}" class="form-check-label">{}</label></div>',
        (
            (field.html_name, value, field.auto_id, i, field.auto_id, i, label)
            for i, (value, label) in enumerate(choices)
        ),
    )
    return format_html(
        '<div id="div_{}" class="mb-3"><fieldset><legend class="form-label requiredField fs-6">{}'
        '<span class="asteriskField">*</span></legend><div>{}</div></fieldset></div>',
        field.auto_id,
        field.label,
        options,
    )


def _produce_cards(request, rows) -> list[SimpleNamespace]:
    """Each card of the page: the case's line, its clock badge and the form's fields (scope, valid until).
    The fields are the same for every card but for their ids: rendered once and given each card's own ids,
    instead of rendering the form per card (it was most of the page's time)."""
    case_url, produce_url = url_maker("cases:detail"), url_maker("delivery:produce")
    states = choice_labels(CaseState)
    fields = None
    if any(row.state == CaseState.APPROVED for row in rows):
        marker = "produce-0000-"
        fields = fields_per_row(request, "delivery/_produce_fields.html", ProduceForm(auto_id=f"{marker}%s"), marker)
    return [
        SimpleNamespace(
            number=row.number,
            url=case_url(row.pk),
            produce_url=produce_url(row.pk),
            title=row.item_version__name or row.bundle__name or "",
            applicant=row.applicant_name,
            state=states.get(row.state, row.state),
            badge=clock_badge(clock_case(row)),
            approved=row.state == CaseState.APPROVED,
            fields=fields(f"produce-{row.pk}-") if fields else "",
        )
        for row in rows
    ]


@login_required
@require_POST
def produce(request, pk: int):
    _approver_only(request)
    case = get_object_or_404(Case, pk=pk)
    if not permissions.is_deciding_approver(case, request.user):
        raise Http404
    form = ProduceForm(request.POST)
    if form.is_valid():
        try:
            services.result_produce(case=case, actor=request.user, ip=client_ip(request), **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("办件 %(number)s 的结果已制作。") % {"number": case.number})
    else:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("delivery:production")


@login_required
@require_POST
def handover(request):
    _approver_only(request)
    orders = selectors.to_hand_over(request.user)
    form = HandoverForm(request.POST, orders=orders)
    if form.is_valid():
        try:
            done = services.result_handover(
                orders=list(form.cleaned_data["orders"]),
                actor=request.user,
                signature=form.cleaned_data["signature"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("已移交 %(count)s 件结果至%(hall)s出件窗口，待对方签收。") % {"count": done.count, "hall": done.hall},
            )
            return redirect("delivery:production")
    return render(request, "delivery/production.html", _production_context(request, form), status=400)
