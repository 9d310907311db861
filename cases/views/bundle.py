"""一件事一次办: one application for a bundle of items. The applicant fills one form and uploads each
material once (a material several items ask for is handed to each of them); the portal makes a
parent case and one child case per item, each decided by its own department."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from items.models import Bundle
from items.selectors import bundle_combined_materials, bundle_with_items

from ..forms import ApplicationForm, BundleUploadForm
from ..services import case_attach_material, case_create_bundle
from ..uploads import delete_files_on_error
from .citizen import _posted, _staff_refusal, _try_submit
from .common import add_service_error, client_ip


@login_required
@require_http_methods(["GET", "POST"])
def apply_bundle(request, bundle_pk: int):
    if not request.user.is_citizen:
        return _staff_refusal(request)
    try:
        bundle, items = bundle_with_items(bundle_pk)
    except Bundle.DoesNotExist as exc:
        raise Http404 from exc
    combined = bundle_combined_materials(items)
    form = ApplicationForm(_posted(request)[0], user=request.user)
    uploads = BundleUploadForm(*_posted(request), combined=combined)
    if request.method == "POST" and form.is_valid() and uploads.is_valid():
        ip = client_ip(request)
        try:
            with delete_files_on_error(), transaction.atomic():
                parent = case_create_bundle(
                    applicant=request.user,
                    bundle=bundle,
                    enterprise=form.enterprise if form.cleaned_data.get("as_enterprise") else None,
                    form_data=form.form_data(),
                    ip=ip,
                )
                children = {child.item_version_id: child for child in parent.children.all()}
                for line, upload in uploads.uploaded():
                    for material in line.materials:
                        child = children.get(material.version_id)
                        if child is not None:
                            case_attach_material(
                                case=child, actor=request.user, upload=upload, material=material, ip=ip
                            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if request.POST.get("action") == "submit":
                _try_submit(request, parent)
            else:
                messages.success(request, _("草稿已保存。可在下方逐项补充材料，齐全后一并提交。"))
            return redirect("cases:detail", pk=parent.pk)
    context = {"bundle": bundle, "items": items, "combined": combined, "form": form, "uploads": uploads}
    return render(request, "cases/apply_bundle.html", context)
