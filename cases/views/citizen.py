"""The applicant's pages: apply online, keep a draft, submit, follow the case, withdraw, supplement,
download notices. Every write goes through cases.services."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from hall.models import Hall
from items.models import Item

from .. import permissions
from ..constants import WITHDRAWABLE_STATES, CaseState, DocumentKind
from ..forms import ApplicationForm, DeliveryChoiceForm, MaterialUploadForm, SupplementUploadForm, WithdrawForm
from ..models import SubmittedMaterial
from ..page_reads import access_log_lines, timeline_lines
from ..registry import certificate_lookup
from ..selectors import cases_for_user, documents_for_case
from ..services import (
    case_attach_material,
    case_create_draft,
    case_delivery_choose,
    case_remove_material,
    case_submit,
    case_supplement,
    case_update_draft,
    case_withdraw,
    completeness_check,
)
from ..uploads import delete_files_on_error
from .common import (
    KEPT_AS_RECEIVED,
    add_service_error,
    case_for,
    client_ip,
    may_view,
    pdf_or_file_response,
    say_what_was_kept,
)


def _posted(request) -> tuple:
    """(data, files) of a POST, even an empty one (an empty POST must still bind the form), else Nones."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _guide_materials(version):
    return list(version.materials.order_by("order", "pk")) if version is not None else []


STAFF_CANNOT_APPLY = _("工作人员账号不能在线申请。请用群众账号登录，或在窗口工作台使用“窗口收件”。")


def held_certificates(holder_code: str, materials) -> dict:
    """{material pk: HeldCertificate} for the materials the e-certificate library already holds."""
    found = {m.pk: certificate_lookup(holder_code, m) for m in materials} if holder_code else {}
    return {pk: held for pk, held in found.items() if held is not None}


def _owning_hall(version):
    """The hall an online application is received at (the owning county's), the default pickup hall."""
    return Hall.objects.filter(region=version.item.region).order_by("code").first()


def _staff_refusal(request):
    """Staff accounts do not apply online: a plain page saying so (403), never a bare error."""
    context = {"reason": STAFF_CANNOT_APPLY}
    return render(request, "cases/apply_unavailable.html", context, status=403)


def _attach_all(*, case, actor, uploads: dict, ip) -> None:
    for material, upload in uploads.items():
        case_attach_material(case=case, actor=actor, upload=upload, material=material, ip=ip)


def _try_submit(request, case) -> bool:
    """Submit the application (for a bundle's child, the whole bundle); say plainly why not."""
    if case.parent_id:
        case = case.parent
    try:
        case_submit(case=case, actor=request.user, ip=client_ip(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, _("草稿已保存，但还不能提交：%(message)s") % {"message": message})
        return False
    messages.success(
        request, _("申请已提交，办件编号 %(number)s。窗口将在5个工作日内完成受理审查。") % {"number": case.number}
    )
    return True


def _existing_draft(user, item):
    """The applicant's draft of this item (one per item: a repeated POST returns to it)."""
    return (
        cases_for_user(user)
        .filter(applicant=user, item_version__item=item, state=CaseState.DRAFT, parent__isnull=True)
        .order_by("pk")
        .first()
    )


def _lock_applicant(user) -> None:
    """Serialise one applicant's application POSTs (a double click, two tabs), so that the second finds
    the draft the first created instead of opening another."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _edit_page(request, case, form, uploads, **extra):
    version = case.item_version
    current = list(case.materials.filter(superseded=False).select_related("material"))
    uploads.note_current(current)
    context = {
        "case": case,
        "item": version.item,
        "version": version,
        "materials": _guide_materials(version),
        "form": form,
        "uploads": uploads,
        "current": current,
        "check": completeness_check(case),
        **extra,
    }
    return render(request, "cases/edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, item_pk: int):
    """在线申请: the application form and one file input per material of the item's published guide.
    One draft per item: the page and a repeated POST return to the applicant's existing draft; when some
    files are refused, the others are kept on the draft."""
    if not request.user.is_citizen:
        return _staff_refusal(request)
    item = get_object_or_404(Item.objects.select_related("current_version", "department", "region"), pk=item_pk)
    version = item.current_version
    if version is None or not version.online_application:
        return render(request, "cases/apply_unavailable.html", {"item": item, "version": version})
    if request.method == "GET":
        draft = _existing_draft(request.user, item)
        if draft is not None:
            messages.info(request, _("您已有一份该事项的申请草稿，请在这里继续填写。"))
            return redirect("cases:edit", pk=draft.pk)
    materials = _guide_materials(version)
    held = held_certificates(request.user.id_number, materials)
    form = ApplicationForm(_posted(request)[0], user=request.user)
    uploads = MaterialUploadForm(*_posted(request), materials=[m for m in materials if m.pk not in held])
    delivery = DeliveryChoiceForm(
        _posted(request)[0], methods=version.delivery_method_codes, default_hall=_owning_hall(version)
    )
    if request.method == "POST":
        form_ok, uploads_ok, delivery_ok = form.is_valid(), uploads.is_valid(), delivery.is_valid()
        kept = uploads.passed()
        if (form_ok and uploads_ok and delivery_ok) or kept:
            try:
                with delete_files_on_error(), transaction.atomic():
                    _lock_applicant(request.user)
                    case = _existing_draft(request.user, item)
                    if case is None:
                        case = case_create_draft(
                            applicant=request.user,
                            item_version=version,
                            enterprise=form.enterprise if form.cleaned_data.get("as_enterprise") else None,
                            form_data=form.form_data() if form_ok else form.valid_form_data(),
                            ip=client_ip(request),
                        )
                    elif form_ok:
                        case_update_draft(
                            case=case, actor=request.user, form_data=form.form_data(), ip=client_ip(request)
                        )
                    if delivery_ok:
                        case_delivery_choose(case=case, actor=request.user, **delivery.choice(), ip=client_ip(request))
                    _attach_all(case=case, actor=request.user, uploads=kept, ip=client_ip(request))
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if not (form_ok and uploads_ok and delivery_ok):
                    say_what_was_kept(request, kept, uploads.refused())
                    return _edit_page(request, case, form, uploads, delivery_form=delivery)
                if request.POST.get("action") == "submit" and _try_submit(request, case):
                    return redirect("cases:detail", pk=case.pk)
                if request.POST.get("action") != "submit":
                    messages.success(request, _("草稿已保存。请核对下方的材料完整性检查，确认无误后提交。"))
                return redirect("cases:edit", pk=case.pk)
    context = {
        "item": item,
        "version": version,
        "materials": materials,
        "form": form,
        "uploads": uploads,
        "delivery_form": delivery,
        "held": [(m, held[m.pk]) for m in materials if m.pk in held],
    }
    return render(request, "cases/apply.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    """A draft: change the form, add or replace files, see the completeness check, submit. Files that
    pass are kept even when another file or a typed field is refused."""
    case = case_for(request, pk, permissions.is_applicant)
    if case.state != CaseState.DRAFT:
        return redirect("cases:detail", pk=case.pk)
    if case.is_bundle_parent:
        return redirect("cases:detail", pk=case.pk)
    version = case.item_version
    materials = _guide_materials(version)
    initial = ApplicationForm.initial_from(case.form_data)
    initial["as_enterprise"] = case.enterprise_id is not None
    form = ApplicationForm(_posted(request)[0], user=request.user, initial=initial)
    uploads = MaterialUploadForm(*_posted(request), materials=materials)
    if request.method == "POST":
        form_ok, uploads_ok = form.is_valid(), uploads.is_valid()
        kept = uploads.passed()
        if (form_ok and uploads_ok) or kept:
            try:
                with delete_files_on_error(), transaction.atomic():
                    if form_ok:
                        case_update_draft(
                            case=case, actor=request.user, form_data=form.form_data(), ip=client_ip(request)
                        )
                    _attach_all(case=case, actor=request.user, uploads=kept, ip=client_ip(request))
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if not (form_ok and uploads_ok):
                    say_what_was_kept(request, kept, uploads.refused())
                    return _edit_page(request, case, form, uploads)
                if request.POST.get("action") == "submit":
                    if _try_submit(request, case):
                        return redirect("cases:detail", pk=case.parent_id or case.pk)
                else:
                    messages.success(request, _("草稿已保存。"))
                return redirect("cases:edit", pk=case.pk)
    return _edit_page(request, case, form, uploads)


@login_required
@require_POST
def submit(request, pk: int):
    case = case_for(request, pk, permissions.is_applicant)
    submitted = _try_submit(request, case)
    if submitted or case.is_bundle_parent or case.parent_id:
        return redirect("cases:detail", pk=case.parent_id or case.pk)
    return redirect("cases:edit", pk=case.pk)


@login_required
@require_POST
def remove_material(request, pk: int, submitted_pk: int):
    case = case_for(request, pk, permissions.is_applicant)
    submitted = get_object_or_404(SubmittedMaterial, pk=submitted_pk, case=case, superseded=False)
    try:
        case_remove_material(case=case, actor=request.user, submitted=submitted, ip=client_ip(request))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已删除“%(name)s”。") % {"name": submitted.original_name})
    return redirect("cases:edit", pk=case.pk)


def _detail_context(request, case) -> dict:
    user = request.user
    newest_first = request.GET.get("timeline") == "newest"
    documents = list(documents_for_case(case))
    # The files in force, as the page lists them: what for, which file (values, not instances).
    current = case.materials.filter(superseded=False).values_list("pk", "original_name", "material__name", named=True)
    # Every supplement request once, with its lines: the history of the law section and the open one.
    requests = list(case.supplement_requests.order_by("requested_at", "pk").prefetch_related("items"))
    open_request = next((r for r in reversed(requests) if r.fulfilled_at is None), None)
    # Deferred materials are outstanding exactly while the case has a deferred due date (apply.py keeps it).
    outstanding = case.deferred_due is not None
    deferred = (
        list(case.deferred_materials.filter(received_at__isnull=True).select_related("material")) if outstanding else []
    )
    is_applicant = permissions.is_applicant(case, user)
    return {
        "case": case,
        "events": timeline_lines(case, newest_first=newest_first),
        "newest_first": newest_first,
        "documents": documents,
        "receipts": [document for document in documents if document.kind == DocumentKind.RECEIPT],
        "requests": requests,
        "current": current,
        "children": case.children.select_related("item_version", "owning_department") if case.is_bundle_parent else [],
        "open_request": open_request,
        "deferred": deferred,
        "is_applicant": is_applicant,
        "may_review": permissions.is_intake_clerk(case, user),
        "may_decide": permissions.is_deciding_approver(case, user),
        "may_withdraw": is_applicant and case.state in WITHDRAWABLE_STATES,
        "may_supplement": not case.is_bundle_parent
        and (is_applicant or permissions.is_receiving_clerk(case, user))
        and (case.state == CaseState.SUPPLEMENT_REQUESTED or (case.state == CaseState.ACCEPTED and deferred)),
        "withdraw_form": WithdrawForm(),
        "check": completeness_check(case) if case.state == CaseState.DRAFT else None,
        # 谁查看过我的办件: staff read a case only once it is submitted.
        "reads": access_log_lines(case) if case.state != CaseState.DRAFT else [],
    }


@login_required
def detail(request, pk: int):
    """The case page: state, timeline (every event), documents to download, materials, next steps."""
    case = case_for(request, pk, may_view, related=("commitment",))
    return render(request, "cases/detail.html", _detail_context(request, case))


@login_required
@require_POST
def withdraw(request, pk: int):
    case = case_for(request, pk, permissions.is_applicant)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, case)
        context["withdraw_form"] = form
        return render(request, "cases/detail.html", context)
    try:
        case_withdraw(case=case, actor=request.user, reason=form.cleaned_data["reason"], ip=client_ip(request))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("申请已撤回。"))
    return redirect("cases:detail", pk=case.pk)


def _supplement_targets(case) -> list:
    """The guide materials the applicant is asked for now: the open supplement request's, or, while any
    deferred (容缺) material is outstanding, every deferred one (those received may still be replaced)."""
    if case.state == CaseState.SUPPLEMENT_REQUESTED:
        request = case.supplement_requests.filter(fulfilled_at__isnull=True).first()
        if request is not None:
            return [line.material for line in request.items.select_related("material") if line.material_id]
    if case.state == CaseState.ACCEPTED:
        deferred = list(case.deferred_materials.select_related("material").order_by("pk"))
        if any(d.received_at is None for d in deferred):
            return [d.material for d in deferred]
    return []


def _received_for_request(case, open_request) -> list:
    """The files already handed in for what is asked now: since the open supplement request (they count
    for it, and for the one-time-notice rule, as handed in with this supplement), or the deferred
    materials received so far."""
    current = case.materials.filter(superseded=False).select_related("material")
    if case.state == CaseState.SUPPLEMENT_REQUESTED:
        return list(current.filter(uploaded_at__gte=open_request.requested_at)) if open_request else []
    received = case.deferred_materials.filter(received_at__isnull=False).values_list("material_id", flat=True)
    return list(current.filter(material_id__in=received))


@login_required
@require_http_methods(["GET", "POST"])
def supplement(request, pk: int):
    """补正 online (or by a clerk at the counter): upload the listed materials, then hand them in. Files
    that pass are received for this request even when another is refused: they are shown as received,
    their inputs are no longer required, and the supplement is handed in once every listed one is there."""
    case = case_for(request, pk, permissions.is_applicant, permissions.is_receiving_clerk)
    if case.is_bundle_parent or case.state not in (CaseState.SUPPLEMENT_REQUESTED, CaseState.ACCEPTED):
        messages.info(request, _("该办件目前没有需要补正的材料。"))
        return redirect("cases:detail", pk=case.pk)
    targets = _supplement_targets(case)
    if case.state == CaseState.ACCEPTED and not targets:
        messages.info(request, _("该办件目前没有需要补正的材料。"))
        return redirect("cases:detail", pk=case.pk)
    open_request = case.supplement_requests.filter(fulfilled_at__isnull=True).prefetch_related("items").first()
    free_items = [line.name for line in open_request.items.all() if not line.material_id] if open_request else []
    received = _received_for_request(case, open_request)
    form = SupplementUploadForm(*_posted(request), materials=targets, free_items=free_items, received=received)
    if request.method == "POST":
        form_ok = form.is_valid()
        kept = form.passed()
        if form_ok or kept:
            ip = client_ip(request)
            try:
                with delete_files_on_error(), transaction.atomic():
                    _attach_all(case=case, actor=request.user, uploads=kept, ip=ip)
                    if form_ok and case.state == CaseState.SUPPLEMENT_REQUESTED:
                        case_supplement(case=case, actor=request.user, ip=ip)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if form_ok:
                    messages.success(request, _("补正材料已提交，窗口将尽快审查。"))
                    return redirect("cases:detail", pk=case.pk)
                say_what_was_kept(request, kept, form.refused(), where=KEPT_AS_RECEIVED)
                received = _received_for_request(case, open_request)
                form.note_received(received)
    context = {
        "case": case,
        "form": form,
        "open_request": open_request,
        "targets": targets,
        "received": received,
    }
    return render(request, "cases/supplement.html", context)


@login_required
def document(request, pk: int, document_pk: int):
    """An issued notice (PDF), for everyone who may see the case; `?download=1` saves it."""
    case = case_for(request, pk, may_view)
    issued = get_object_or_404(case.documents, pk=document_pk)
    response = pdf_or_file_response(issued.file, f"{issued.title}-{issued.number}.pdf")
    response["Content-Type"] = "application/pdf"
    if request.GET.get("download"):
        response["Content-Disposition"] = response["Content-Disposition"].replace("inline", "attachment")
    return response


@login_required
def material_file(request, pk: int, submitted_pk: int):
    """One submitted file, for the applicant and the staff handling the case."""
    case = case_for(request, pk, may_view)
    submitted = get_object_or_404(case.materials, pk=submitted_pk)
    return pdf_or_file_response(submitted.file, submitted.original_name)
