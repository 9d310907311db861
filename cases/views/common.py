"""What every case page shares: finding the case the caller may see (404 otherwise), the caller's
address for the audit trail, and turning a service's refusal into a message next to the form."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hall.security.events import client_ip  # noqa: F401 - the one way to read the caller's address

from .. import permissions
from ..audit_reads import note_case_read
from ..constants import CaseState
from ..models import Case
from ..selectors import get_case_for_user


def case_for(request, pk: int, *checks: Callable, related: tuple[str, ...] = ()) -> Case:
    """The case if any of `checks(case, user)` lets the caller see it; 404 for everyone else, so that
    guessing numbers in the URL tells an outsider nothing. `related`: more relations the page reads,
    joined in the same query."""
    case = get_case_for_user(request.user, pk, related=related)
    if not any(check(case, request.user) for check in checks):
        raise Http404
    note_case_read(request, case)
    return case


def may_view(case, user) -> bool:
    """Everyone with a part in the case: the applicant, the intake clerks, the deciding approvers and their
    agency's head (who decides extensions), the supervisors of the region and the result window."""
    if permissions.is_applicant(case, user):
        return True
    if case.state == CaseState.DRAFT:  # a draft is the applicant's own until it is submitted
        return False
    return (
        permissions.is_receiving_clerk(case, user)
        or permissions.is_intake_clerk(case, user)
        or permissions.is_deciding_approver(case, user)
        or permissions.is_agency_head(case, user)
        or permissions.is_supervisor(case, user)
        or permissions.is_result_clerk(case, user)
    )


def is_staff_on(*checks: Callable) -> Callable:
    """A check for staff pages: one of `checks`, and never on a draft (the applicant's own until submitted)."""

    def check(case, user) -> bool:
        return case.state != CaseState.DRAFT and any(c(case, user) for c in checks)

    return check


def add_service_error(form, error: ValidationError) -> None:
    """Put a service's refusal on the form (as a non-field error, shown at the top of that form)."""
    for message in error.messages:
        form.add_error(None, message)


# Where the files that passed were kept when another file or field of the same form was refused.
KEPT_ON_DRAFT = _("以下文件已保存到草稿，无需重新选择：%(names)s。")
KEPT_AS_RECEIVED = _("以下文件已收到，无需重新选择：%(names)s。")
KEPT_FOR_COUNTER = _("以下扫描件已暂存，收件时一并提交，无需重新扫描：%(names)s。")


def say_what_was_kept(request, kept: dict, again: list, *, where=KEPT_ON_DRAFT) -> None:
    """Nothing a user chose is lost silently: which files were kept (`where` says where: on the draft,
    received for the request, held for the counter application), which must be chosen again (their
    reasons sit next to their inputs). kept: {material: file}; again: [(material, file name)]."""
    if kept:
        names = gettext("、").join(f"“{upload.name}”" for upload in kept.values())
        messages.success(request, where % {"names": names})
    if again:
        names = gettext("、").join(f"“{material.name}”" for material, _name in again)
        messages.error(request, _("以下材料的文件未通过检查，请重新选择：%(names)s。") % {"names": names})


def pdf_or_file_response(field_file, filename: str) -> FileResponse:
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(_("文件不存在")) from exc
    return FileResponse(handle, filename=filename, as_attachment=False)
