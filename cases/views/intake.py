"""Intake review (形式审查) by a window clerk: the submitted files beside the guide's list, and the four
outcomes, each issuing its notice for the clerk to print."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from hall.emptyforms import fields_once

from .. import permissions
from ..constants import INTAKE_STATES, CaseState
from ..forms import AcceptForm, DeferralForm, RefuseForm, SupplementRequestForm
from ..page_reads import guide_materials, timeline_lines
from ..selectors import documents_for_case
from ..services import (
    case_accept,
    case_accept_with_deferral,
    case_refuse,
    case_request_supplement,
    completeness_check,
    default_appeal_rights,
)
from ..services._common import today
from ..services.limits import intake_window_closed
from .common import add_service_error, case_for, client_ip, is_staff_on

SUPPLEMENT_FIELDS = "cases/includes/supplement_fields.html"
CLERK_CHECK = is_staff_on(permissions.is_intake_clerk, permissions.is_receiving_clerk)
# Read with the case on the review and decision pages: the commitment the completeness check counts (the
# department's region, named in the appeal rights, comes with every case page).
PAGE_RELATED = ("commitment",)


def guide_rows(case, submitted: list | None = None, deferred: list | None = None) -> list[dict]:
    """One row per guide material with the files handed in for it (current ones first), plus a row for
    files given outside the guide's list. `submitted` (submitted_files) and `deferred` (the case's
    deferred materials): when the page has read them already."""
    materials = guide_materials(case)
    if submitted is None:
        submitted = submitted_files(case)
    if deferred is None:
        deferred = case.deferred_materials.all()
    deferred = {d.material_id: d for d in deferred}
    rows = []
    for material in materials:
        files = [s for s in submitted if s.material_id == material.pk]
        rows.append(
            {
                "material": material,
                "current": [s for s in files if not s.superseded],
                "superseded": [s for s in files if s.superseded],
                "deferred": deferred.get(material.pk),
            }
        )
    extra = [s for s in submitted if s.material_id is None and not s.superseded]
    if extra:
        rows.append({"material": None, "current": extra, "superseded": [], "deferred": None})
    return rows


def submitted_files(case) -> list:
    """Every file of the case, current and superseded, in the order they were handed in."""
    return list(case.materials.order_by("uploaded_at", "pk"))  # the rows name the guide's material themselves


def _forms(case, data=None, which: str = ""):
    materials = guide_materials(case)

    def bound(name):
        return data if which == name else None

    return {
        "accept_form": AcceptForm(bound("accept"), prefix="accept"),
        "supplement_form": SupplementRequestForm(bound("supplement"), materials=materials, prefix="supplement"),
        "refuse_form": RefuseForm(
            bound("refuse"), prefix="refuse", initial={"appeal_rights": default_appeal_rights(case)}
        ),
        "deferral_form": DeferralForm(bound("deferral"), materials=materials, prefix="deferral"),
    }


def _render_review(request, case, forms: dict, status: int = 200):
    submitted = submitted_files(case)
    # Every supplement request once, with its lines: the history and the open one.
    requests = list(case.supplement_requests.order_by("requested_at", "pk").prefetch_related("items"))
    context = {
        "case": case,
        # A case under intake review was never accepted, so none of its materials is deferred (容缺).
        "rows": guide_rows(case, submitted, deferred=[] if case.state in INTAKE_STATES else None),
        "check": completeness_check(case, submitted),
        "documents": documents_for_case(case).reverse(),
        "events": timeline_lines(case),
        "open_request": next((r for r in reversed(requests) if r.fulfilled_at is None), None),
        "may_review": case.state in INTAKE_STATES
        and not case.is_bundle_parent
        and permissions.is_intake_clerk(case, request.user),
        "children": case.children.select_related("item_version") if case.is_bundle_parent else [],
        "can_accept": case.state == CaseState.SUBMITTED,
        "intake_window_closed": case.item_version_id is not None and intake_window_closed(case, today()),
        "requests": requests,
        "active": next((name for name, form in forms.items() if form.is_bound), "accept_form"),
        **forms,
    }
    if context["may_review"] and context["can_accept"]:
        # The supplement form's last two fields as crispy lays them out, kept while the form is empty.
        context["supplement_fields"] = fields_once(SUPPLEMENT_FIELDS, forms["supplement_form"], request)
    return render(request, "cases/review.html", context, status=status)


@login_required
def review(request, pk: int):
    case = case_for(request, pk, CLERK_CHECK, related=PAGE_RELATED)
    return _render_review(request, case, _forms(case))


def _outcome(request, pk: int, which: str, run):
    """Shared by the four outcomes: validate the form, call the service, redirect back to the review page
    (which lists the new notice to print), or show the form again with the reason next to it."""
    case = case_for(request, pk, CLERK_CHECK)
    forms = _forms(case, request.POST, which)
    form = forms[f"{which}_form"]
    if form.is_valid():
        try:
            message = run(case, form)
        except ValidationError as error:
            case.refresh_from_db()
            if case.state not in INTAKE_STATES:
                # The case has moved on (another clerk, or a stale page): the forms are gone, say it on top.
                messages.error(request, "；".join(error.messages))
                return redirect("cases:review", pk=case.pk)
            add_service_error(form, error)
        except PermissionDenied as error:
            # Someone who may see the case but not take this step (e.g. the receiving hall of a handed-on case).
            messages.error(request, str(error) or _("您无权对该办件执行此操作。"))
            return redirect("cases:review", pk=case.pk)
        else:
            messages.success(request, message)
            return redirect("cases:review", pk=case.pk)
    return _render_review(request, case, forms)


@login_required
@require_POST
def accept(request, pk: int):
    def run(case, form):
        case_accept(case=case, actor=request.user, note=form.cleaned_data["note"], ip=client_ip(request))
        if case.accepted_on != today():
            # Art. 32: past the intake limit the application stands accepted on receipt, not today.
            return _(
                "已受理。受理审查已超过法定期限，受理日期按收到申请材料之日（%(day)s）计算，"
                "办理期限自该日起算。请打印受理通知书交给申请人。"
            ) % {"day": f"{case.accepted_on:%Y-%m-%d}"}
        return _("已受理，请打印受理通知书交给申请人。")

    return _outcome(request, pk, "accept", run)


@login_required
@require_POST
def request_supplement(request, pk: int):
    def run(case, form):
        case_request_supplement(
            case=case, actor=request.user, items=form.items(), due=form.cleaned_data["deadline"], ip=client_ip(request)
        )
        return _("已一次性告知需补正的材料，请打印材料补正告知书交给申请人。")

    return _outcome(request, pk, "supplement", run)


@login_required
@require_POST
def refuse(request, pk: int):
    def run(case, form):
        data = form.cleaned_data
        case_refuse(
            case=case,
            actor=request.user,
            reasons=data["reasons"],
            competent_authority=data["competent_authority"],
            appeal_rights=data["appeal_rights"],
            ip=client_ip(request),
        )
        return _("已作出不予受理决定，请打印不予受理决定书交给申请人。")

    return _outcome(request, pk, "refuse", run)


@login_required
@require_POST
def accept_with_deferral(request, pk: int):
    def run(case, form):
        deferred = form.deferred_materials()
        due = form.cleaned_data["deadline"]
        undertaking = (
            f"申请人{case.applicant_name}承诺于{due:%Y年%m月%d日}前补交以下材料："
            f"{'、'.join(m.name for m in deferred)}；逾期未补齐的，愿意承担相应后果。"
        )
        case_accept_with_deferral(
            case=case,
            actor=request.user,
            deferred_materials=deferred,
            due=due,
            undertaking=undertaking,
            ip=client_ip(request),
        )
        return _("已容缺受理，请打印容缺受理通知书交给申请人。")

    return _outcome(request, pk, "deferral", run)
