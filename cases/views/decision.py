"""The department's decision: the approver's case page (materials beside the guide), grant, deny,
special procedure, extension; and the supervisors' list of extension requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from hall.constants import StaffRole

from .. import permissions
from ..clock import unit_label
from ..constants import DECIDING_STATES, ExtensionState
from ..forms import DenyForm, ExtensionDecisionForm, ExtensionRequestForm, GrantForm, ResumeForm, SuspendForm
from ..law_forms import SiteInspectionForm
from ..models import ExtensionRequest
from ..page_reads import timeline_lines
from ..selectors import cases_for_user, documents_for_case
from ..services import (
    case_approve_extension,
    case_deny,
    case_grant,
    case_request_extension,
    case_resume,
    case_suspend,
    default_appeal_rights,
)
from ..services.decision import case_record_site_inspection, extension_cap, special_procedure_kinds
from .common import add_service_error, case_for, client_ip, is_staff_on
from .intake import PAGE_RELATED, guide_rows

APPROVER_CHECK = is_staff_on(permissions.is_deciding_approver)


def _forms(case, data=None, which: str = ""):
    def bound(name):
        return data if which == name else None

    return {
        "grant_form": GrantForm(bound("grant"), prefix="grant"),
        "deny_form": DenyForm(bound("deny"), prefix="deny", initial={"appeal_rights": default_appeal_rights(case)}),
        "suspend_form": SuspendForm(bound("suspend"), prefix="suspend"),
        "resume_form": ResumeForm(bound("resume"), prefix="resume"),
        "extension_form": ExtensionRequestForm(bound("extension"), prefix="extension"),
        "inspection_form": SiteInspectionForm(bound("inspection"), prefix="inspection"),
    }


def _render_decide(request, case, forms: dict):
    extensions = list(case.extension_requests.select_related("decided_by").order_by("-requested_at"))
    cap, unit, basis = extension_cap(case)
    deferred = list(case.deferred_materials.select_related("material"))
    context = {
        "case": case,
        "rows": guide_rows(case, deferred=deferred),
        "documents": documents_for_case(case).reverse(),
        "events": timeline_lines(case),
        "procedures": case.special_procedures.order_by("-started_on", "-pk"),
        "extensions": extensions,
        "may_decide": case.state in DECIDING_STATES and permissions.is_deciding_approver(case, request.user),
        "may_extend": not any(e.state != ExtensionState.REFUSED for e in extensions),
        "deferred_outstanding": [d for d in deferred if d.received_at is None],
        "procedure_kinds": special_procedure_kinds(case),
        "extension_cap": cap,
        "extension_unit": unit_label(unit),
        "extension_basis": basis,
        "active": next((name for name, form in forms.items() if form.is_bound), ""),
        **forms,
    }
    return render(request, "cases/decide.html", context)


@login_required
def decide(request, pk: int):
    case = case_for(request, pk, APPROVER_CHECK, related=PAGE_RELATED)
    return _render_decide(request, case, _forms(case))


def _action(request, pk: int, which: str, run):
    case = case_for(request, pk, APPROVER_CHECK)
    forms = _forms(case, request.POST, which)
    form = forms[f"{which}_form"]
    if form.is_valid():
        try:
            message = run(case, form.cleaned_data)
        except ValidationError as error:
            case.refresh_from_db()
            if case.state not in DECIDING_STATES:
                messages.error(request, "；".join(error.messages))
                return redirect("cases:decide", pk=case.pk)
            add_service_error(form, error)
        except PermissionDenied as error:
            # Someone who may see the case but not take this step (e.g. the receiving hall of a handed-on case).
            messages.error(request, str(error) or _("您无权对该办件执行此操作。"))
            return redirect("cases:decide", pk=case.pk)
        else:
            messages.success(request, message)
            return redirect("cases:decide", pk=case.pk)
    return _render_decide(request, case, forms)


@login_required
@require_POST
def grant(request, pk: int):
    def run(case, data):
        case_grant(case=case, actor=request.user, opinion=data["opinion"], ip=client_ip(request))
        return _("已作出准予许可决定，准予行政许可决定书已出具。")

    return _action(request, pk, "grant", run)


@login_required
@require_POST
def deny(request, pk: int):
    def run(case, data):
        case_deny(
            case=case,
            actor=request.user,
            reasons=data["reasons"],
            appeal_rights=data["appeal_rights"],
            ip=client_ip(request),
        )
        return _("已作出不予许可决定，不予行政许可决定书已出具。")

    return _action(request, pk, "deny", run)


@login_required
@require_POST
def suspend(request, pk: int):
    def run(case, data):
        case_suspend(
            case=case,
            actor=request.user,
            kind=data["kind"],
            reason=data["reason"],
            expected_days=data["expected_days"],
            name=data.get("name", ""),
            ip=client_ip(request),
        )
        return _("已启动特别程序，办理时限暂停计算，特别程序告知书已出具。")

    return _action(request, pk, "suspend", run)


@login_required
@require_POST
def resume(request, pk: int):
    def run(case, data):
        case_resume(case=case, actor=request.user, note=data["note"], ip=client_ip(request))
        return _("特别程序已结束，恢复计算办理时限。")

    return _action(request, pk, "resume", run)


@login_required
@require_POST
def request_extension(request, pk: int):
    def run(case, data):
        case_request_extension(
            case=case, actor=request.user, days=data["days"], reason=data["reason"], ip=client_ip(request)
        )
        return _("延期申请已提交，等待本机关负责人批准。")

    return _action(request, pk, "extension", run)


@login_required
@require_POST
def site_inspection(request, pk: int):
    def run(case, data):
        case_record_site_inspection(case=case, actor=request.user, findings=data["findings"], ip=client_ip(request))
        return _("已记录现场核查。现场核查是审查环节，办理期限照常计算。")

    return _action(request, pk, "inspection", run)


def _visible_extensions(user):
    """Extension requests the user approves (the agency head of the deciding department) or watches
    (supervisors: cases_for_user), pending first."""
    head_of = permissions.departments_with_role(user, StaffRole.AGENCY_HEAD)
    if head_of:
        rows = ExtensionRequest.objects.filter(case__owning_department_id__in=head_of)
    elif permissions.regions_with_role(user, StaffRole.SUPERVISOR):
        rows = ExtensionRequest.objects.filter(case__in=cases_for_user(user).values("pk"))
    else:
        raise Http404
    return list(
        rows.select_related("case__item_version", "case__owning_department", "requested_by", "decided_by").order_by(
            "state", "-requested_at"
        )[:200]
    )


@login_required
@require_http_methods(["GET", "POST"])
def extensions(request):
    """延期审批: the agency head approves or refuses (Art. 42); supervisors see the same list, read only."""
    rows = _visible_extensions(request.user)
    pending = [e for e in rows if e.state == ExtensionState.PENDING]
    decided = [e for e in rows if e.state != ExtensionState.PENDING]
    forms = {
        e.pk: ExtensionDecisionForm(prefix=f"ext{e.pk}") if permissions.is_agency_head(e.case, request.user) else None
        for e in pending
    }
    return render(
        request,
        "cases/extensions.html",
        {
            "pending": [(e, forms[e.pk]) for e in pending],
            "decided": decided,
            "is_head": request.user.has_role(StaffRole.AGENCY_HEAD),
        },
    )


@login_required
@require_POST
def extension_decide(request, extension_pk: int):
    extension = get_object_or_404(ExtensionRequest.objects.select_related("case"), pk=extension_pk)
    if not (
        permissions.is_agency_head(extension.case, request.user)
        or permissions.is_supervisor(extension.case, request.user)
    ):
        raise Http404
    form = ExtensionDecisionForm(request.POST, prefix=f"ext{extension.pk}")
    if form.is_valid():
        try:
            case_approve_extension(
                extension=extension,
                actor=request.user,
                approve=form.cleaned_data["approve"],
                note=form.cleaned_data["note"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            verdict = _("已批准延期，延期告知书已出具。") if form.cleaned_data["approve"] else _("已不批准该延期申请。")
            messages.success(
                request, _("办件 %(number)s：%(verdict)s") % {"number": extension.case.number, "verdict": verdict}
            )
    else:
        messages.error(request, _("请选择“批准延期”或“不批准”。"))
    return redirect("cases:extensions")
