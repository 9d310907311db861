"""Counter application (窗口收件): a clerk picks an item the hall may receive, records the applicant and
the identity check, scans the materials with the originals seen, and goes straight to intake review.
Scans that pass while another file or a field is refused are held for the application being prepared
(the form carries its draft id) and go onto the case when it is received."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from hall.constants import StaffRole
from hall.models import Hall
from hall.selectors import user_by_id_number
from hall.validators import mask_mobile, normalise_identifier
from items.selectors import items_matching, items_receivable_at

from .. import permissions
from ..forms import CounterApplicantForm, DeliveryChoiceForm, ItemChoiceForm, MaterialUploadForm, OriginalsSeenForm
from ..selectors import counter_scans_held
from ..services import case_delivery_choose, case_record_counter_application, counter_scans_keep
from ..services.ticket import case_ticket_record, counter_ticket
from ..uploads import delete_files_on_error
from .common import KEPT_FOR_COUNTER, add_service_error, client_ip, say_what_was_kept

COUNTER_PICKER_ROWS = 12


def _clerk_hall(request) -> Hall:
    """The hall the clerk works at (the first, if several); 404 for anyone who is not a window clerk."""
    hall_ids = permissions.halls_with_role(request.user, StaffRole.WINDOW_CLERK)
    if not hall_ids:
        raise Http404
    wanted = request.GET.get("hall") or request.POST.get("hall")
    if wanted and wanted.isdigit() and int(wanted) in hall_ids:
        return Hall.objects.get(pk=int(wanted))
    return Hall.objects.filter(pk__in=hall_ids).order_by("code").first()


@login_required
def counter_start(request):
    hall = _clerk_hall(request)
    items = items_receivable_at(hall).select_related("current_version", "department")
    ticket = counter_ticket(hall=hall, clerk=request.user, ticket_id=request.GET.get("ticket"))
    if ticket and ticket.booking and items.filter(pk=ticket.booking.item_id).exists():
        # A booked ticket names its item: straight to that item's intake, prefilled.
        return redirect(f"{reverse('cases:counter_apply', args=[ticket.booking.item_id])}?ticket={ticket.pk}")
    query = request.GET.copy()
    query.pop("ticket", None)
    form = ItemChoiceForm(query or None, items=items)
    if request.GET.get("item") and form.is_valid():
        url = reverse("cases:counter_apply", args=[form.cleaned_data["item"].pk])
        return redirect(f"{url}?ticket={ticket.pk}" if ticket else url)
    # The picker: the catalogue's own search (name, code, pinyin initials) over the hall's items,
    # typed into one box; htmx asks for the result list alone as the clerk types.
    q = " ".join(request.GET.get("q", "").split())[:100]
    found = items_matching(items, q) if q else items
    matches = list(found.order_by("current_version__name")[: COUNTER_PICKER_ROWS + 1])
    context = {
        "hall": hall,
        "form": form,
        "ticket": ticket,
        "q": q,
        "matches": matches[:COUNTER_PICKER_ROWS],
        "more": len(matches) > COUNTER_PICKER_ROWS,
    }
    if request.htmx:
        return render(request, "cases/includes/counter_item_results.html", context)
    return render(request, "cases/counter_start.html", context)


def _draft_id(request) -> uuid.UUID | None:
    """The counter application being prepared, named by the form's hidden field (None: a new one)."""
    try:
        return uuid.UUID(request.POST.get("counter_draft") or "")
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def counter_apply(request, item_pk: int):
    hall = _clerk_hall(request)
    item = get_object_or_404(items_receivable_at(hall).select_related("current_version", "department"), pk=item_pk)
    version = item.current_version
    materials = list(version.materials.order_by("order", "pk"))
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    ticket = counter_ticket(hall=hall, clerk=request.user, ticket_id=request.GET.get("ticket"))
    applicant_form = CounterApplicantForm(data, prefix="applicant", initial=_ticket_initial(ticket))
    applicant_form.fields["id_number"].widget.attrs.update(
        {
            "hx-get": reverse("cases:counter_lookup"),
            "hx-trigger": "change",
            "hx-target": "#applicant-lookup",
            "hx-swap": "innerHTML",
        }
    )
    originals_form = OriginalsSeenForm(data, materials=materials, prefix="originals")
    uploads = MaterialUploadForm(data, files, materials=materials, prefix="scan")
    delivery = DeliveryChoiceForm(data, methods=version.delivery_method_codes, default_hall=hall)
    draft = _draft_id(request) if request.method == "POST" else None
    if request.method == "POST":
        if all([f.is_valid() for f in (applicant_form, originals_form, uploads, delivery)]):
            case = _receive(request, hall, version, ticket, applicant_form, originals_form, uploads, delivery, draft)
            if case is not None:
                messages.success(
                    request, _("已收件，办件编号 %(number)s。请立即进行受理审查。") % {"number": case.number}
                )
                # 异地代收: the receiving hall's next step is forwarding to the owning hall, not intake review.
                return redirect(
                    "cases:handoff" if case.cross_area_mode == "receive_forward" else "cases:review", pk=case.pk
                )
        draft = _hold_scans(request, hall, version, applicant_form, uploads, draft)
    held = list(counter_scans_held(draft=draft, clerk=request.user, hall=hall, item_version=version))
    uploads.note_current(held)
    context = {
        "hall": hall,
        "item": item,
        "version": version,
        "materials": materials,
        "applicant_form": applicant_form,
        "originals_form": originals_form,
        "uploads": uploads,
        "delivery_form": delivery,
        "ticket": ticket,
        "draft": draft if held else None,
        "held": held,
    }
    return render(request, "cases/counter_apply.html", context)


def _receive(request, hall, version, ticket, applicant_form, originals_form, uploads, delivery, draft):
    """Record the application (with the scans held for it); None, with the refusal on the form, if refused."""
    applicant = applicant_form.cleaned_data
    try:
        with delete_files_on_error(), transaction.atomic():
            case = _record_with_ticket(
                ticket,
                clerk=request.user,
                hall=hall,
                item_version=version,
                applicant_id_number=applicant["id_number"],
                applicant_name=applicant["real_name"],
                applicant_mobile=applicant["mobile"],
                identity_checked=applicant["identity_checked"],
                form_data={"description": applicant.get("description", ""), "contact_mobile": applicant["mobile"]},
                enterprise=applicant_form.enterprise,
                uploads=uploads.uploaded(),
                originals_seen=originals_form.material_ids(),
                draft=draft,
                ip=client_ip(request),
            )
            case_delivery_choose(case=case, actor=request.user, **delivery.choice(), ip=client_ip(request))
    except ValidationError as error:
        add_service_error(applicant_form, error)
        return None
    return case


def _hold_scans(request, hall, version, applicant_form, uploads, draft):
    """The application was refused: hold the scans that passed for the next try (nothing is received yet),
    say which were kept and which must be scanned again; the draft id the page carries on."""
    kept = uploads.passed()
    if kept:
        draft = draft or uuid.uuid4()
        try:
            counter_scans_keep(draft=draft, clerk=request.user, hall=hall, item_version=version, uploads=kept)
        except ValidationError as error:
            add_service_error(applicant_form, error)
            return None
    say_what_was_kept(request, kept, uploads.refused(), where=KEPT_FOR_COUNTER)
    return draft


def _ticket_initial(ticket) -> dict:
    """The applicant fields prefilled from the queue ticket's person (hall floor), if known."""
    person = ticket.person if ticket else None
    if person is None:
        return {}
    return {"id_number": person.id_number, "real_name": person.real_name, "mobile": person.mobile}


def _record_with_ticket(ticket, **kwargs):
    """The counter application and, when the applicant came with a queue ticket, the ticket on the case."""
    case = case_record_counter_application(**kwargs)
    if ticket is not None:
        case_ticket_record(case=case, ticket=ticket)
    return case


@login_required
@require_GET
def counter_lookup(request):
    """htmx: whether the ID number typed at the counter already has an account (name and masked mobile
    shown to the clerk, so that the walk-in can confirm it is theirs)."""
    _clerk_hall(request)
    id_number = normalise_identifier(request.GET.get("applicant-id_number") or request.GET.get("id_number"))[:18]
    account = user_by_id_number(id_number)
    context = {"account": account, "masked_mobile": mask_mobile(account.mobile) if account else "", "typed": id_number}
    return render(request, "cases/includes/counter_lookup.html", context)
