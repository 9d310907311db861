"""告知承诺制 pages: the applicant (or the counter clerk in front of them) signs the commitment; the
department's list of post-checks (事后核查) and the record of each."""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from hall.constants import StaffRole

from .. import permissions
from ..constants import CommitmentOutcome
from ..law_forms import CommitmentCheckForm, CommitmentSignForm
from ..models import Commitment
from ..rows import fields_per_row, url_maker
from ..services.commitment import commitment_check_record, commitment_sign, commitment_text_for
from .common import add_service_error, case_for, client_ip

CHECK_PAGE = 100


def _may_sign(case, user) -> bool:
    return permissions.is_applicant(case, user) or (
        case.state != "draft" and permissions.is_receiving_clerk(case, user)
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign(request, pk: int):
    case = case_for(request, pk, _may_sign)
    version = case.item_version
    if version is None or not version.commitment_allowed:
        raise Http404
    replaceable = list(version.materials.filter(commitment_replaceable=True).order_by("order", "pk"))
    form = CommitmentSignForm(request.POST or None, materials=replaceable)
    if request.method == "POST" and form.is_valid():
        try:
            commitment_sign(case=case, actor=request.user, materials=form.chosen(), ip=client_ip(request))
        except ValidationError as error:
            add_service_error(form, error)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect("cases:detail", pk=case.pk)
        else:
            case.refresh_from_db()
            if case.state == "draft":
                messages.success(request, _("已签署告知承诺书：所选证明材料无需上传，提交后当场作出决定。"))
                return redirect("cases:edit", pk=case.pk)
            messages.success(request, _("已签署告知承诺书，已当场作出准予许可决定。"))
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/commitment_sign.html",
        {"case": case, "form": form, "text": commitment_text_for(case, replaceable), "version": version},
    )


def _checks_for(user):
    """The pending post-checks of the departments the user approves for, earliest due first
    (the partial index holds only pending ones)."""
    departments = permissions.departments_with_role(user, StaffRole.APPROVER)
    if not departments:
        raise Http404
    return (
        Commitment.objects.filter(outcome=CommitmentOutcome.PENDING, case__owning_department_id__in=departments)
        .order_by("check_due", "pk")
        .values_list(
            "pk", "check_due", "text", "case_id", "case__number", "case__applicant_name",
            "case__item_version__name", "case__bundle__name", named=True,
        )[:CHECK_PAGE]
    )  # fmt: skip


@login_required
def checks(request):
    """The pending post-checks as plain rows, each with the record form's fields: the form is the same for
    every check but for its prefix, rendered once and given each check's own prefix (names and ids)."""
    rows = list(_checks_for(request.user))
    fields = None
    if rows:
        marker = "c0000000"
        template = "cases/_commitment_check_fields.html"
        fields = fields_per_row(request, template, CommitmentCheckForm(prefix=marker), marker)
    case_url, record_url = url_maker("cases:detail"), url_maker("cases:commitment_check_record")
    checks = [
        SimpleNamespace(
            pk=row.pk,
            check_due=row.check_due,
            text=row.text,
            number=row.case__number,
            title=row.case__item_version__name or row.case__bundle__name or "",
            applicant=row.case__applicant_name,
            case_url=case_url(row.case_id),
            record_url=record_url(row.pk),
            fields=fields(f"c{row.pk}"),
        )
        for row in rows
    ]
    return render(request, "cases/commitment_checks.html", {"checks": checks, "limit": CHECK_PAGE})


@login_required
@require_POST
def check_record(request, commitment_pk: int):
    commitment = get_object_or_404(Commitment.objects.select_related("case"), pk=commitment_pk)
    if not permissions.is_deciding_approver(commitment.case, request.user):
        raise Http404
    form = CommitmentCheckForm(request.POST, prefix=f"c{commitment.pk}")
    if not form.is_valid():
        messages.error(request, _("请选择核查结论并写明核查情况。"))
        return redirect("cases:commitment_checks")
    try:
        commitment_check_record(
            commitment=commitment,
            actor=request.user,
            confirmed=form.cleaned_data["confirmed"],
            finding=form.cleaned_data["finding"],
            ip=client_ip(request),
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
    else:
        if form.cleaned_data["confirmed"]:
            messages.success(request, _("已记录：承诺属实。"))
        else:
            messages.success(request, _("已记录承诺不实，准予许可决定已撤销，撤销决定书已出具。"))
    return redirect("cases:commitment_checks")
