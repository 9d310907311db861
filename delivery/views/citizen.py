"""The applicant's side: change the delivery choice until the result is produced, download an
electronic result (the first download is the delivery), 我的证照, and the public certificate check."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import permissions
from cases.forms import DeliveryChoiceForm
from cases.selectors import get_case_for_user
from cases.services import allowed_delivery_methods, case_delivery_choose
from cases.services.delivery_choice import result_produced
from cases.views.common import add_service_error, client_ip

from .. import selectors, services
from ..forms import CertificateVerifyForm


def _own_case(request, pk: int):
    case = get_case_for_user(request.user, pk)
    if case.parent_id:
        case = case.parent
    owner = permissions.is_applicant(case, request.user) or (
        case.enterprise_id and case.enterprise.agent_id == request.user.pk
    )
    if not owner:
        raise Http404
    return case


@login_required
@require_http_methods(["GET", "POST"])
def choose(request, pk: int):
    """Change how the result is delivered (until it is produced)."""
    case = _own_case(request, pk)
    form = DeliveryChoiceForm(
        request.POST or None, methods=allowed_delivery_methods(case), default_hall=case.receiving_hall, case=case
    )
    if request.method == "POST" and form.is_valid():
        try:
            case_delivery_choose(case=case, actor=request.user, ip=client_ip(request), **form.choice())
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("送达方式已更新。"))
            return redirect("cases:detail", pk=case.pk)
    context = {"case": case, "form": form, "produced": result_produced(case)}
    return render(request, "delivery/choose.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def electronic_download(request, pk: int):
    """Record the first download of an electronic result (that is its delivery), then open the result."""
    case = _own_case(request, pk)
    order = selectors.order_of_case(case)
    if order is None:
        raise Http404
    try:
        services.delivery_electronic(order=order, actor=request.user, ip=client_ip(request))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
        return redirect("cases:detail", pk=case.pk)
    units = services._common.result_units(case)
    document = services.result_document(units[0]) if len(units) == 1 else None
    if document is None:
        messages.success(request, _("办理结果已送达，请在各事项的文书中下载。"))
        return redirect("cases:detail", pk=case.pk)
    return redirect("cases:document", pk=units[0].pk, document_pk=document.pk)


@login_required
def my_certificates(request):
    """我的证照: the certificates issued to the user and to their enterprise, with their states."""
    if not request.user.is_citizen:
        raise Http404
    certificates = list(selectors.certificates_for_user(request.user)[:200])
    return render(request, "delivery/my_certificates.html", {"certificates": certificates})


@require_GET
def certificate_verify(request):
    """Public check by number (or the QR code's document page): the state and what is printed, no more."""
    form = CertificateVerifyForm(request.GET or None)
    certificate = None
    if form.is_valid():
        certificate = selectors.certificate_public(form.cleaned_data["number"])
        if certificate is None:
            form.add_error("number", _("未找到该编号的证照，请核对后重试。"))
    return render(request, "delivery/verify.html", {"form": form, "certificate": certificate})
