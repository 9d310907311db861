"""What every case service shares: running a transition safely, the audit event, the applicant's
notice, and the errors the views show."""

import ipaddress
from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from hall.constants import StaffRole
from hall.notices import notice_queue

from .. import permissions
from ..clock import case_clock_recompute
from ..constants import DECIDED_STATES, ApplicantRole, CaseState, HandoffState
from ..models import Case, CaseEvent, Document, Handoff
from ..uploads import delete_files_on_error


class CaseAlreadyHandled(ValidationError, ConcurrentTransition):
    """Someone else changed the case's state between reading and saving (optimistic locking)."""

    def __init__(self, message: str = "该办件已由其他工作人员处理，当前状态已变化，请刷新页面后查看。"):
        super().__init__(message, code="already_handled")


def case_service(func: Callable) -> Callable:
    """One transaction per service; a file stored by a failed call is deleted (no orphan files)."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        with delete_files_on_error(), transaction.atomic():
            return func(*args, **kwargs)

    return wrapper


# A cross-county case in these states leaves the hand-off lists and clocks.
HANDOFF_SETTLED_STATES = [CaseState.DELIVERED, CaseState.ARCHIVED, CaseState.REJECTED, CaseState.WITHDRAWN]


def run_transition(case: Case, name: str, actor, *args):
    """Run transition `name` for `actor`: a plain refusal if the state does not allow it or the actor may
    not (PermissionDenied), else the state changes in memory; the caller saves with save_case()."""
    method = getattr(case, name)
    if not can_proceed(method):
        raise ValidationError(
            _("该办件当前状态为“%(state)s”，不能执行此操作。"),
            code="invalid_transition",
            params={"state": CaseState(case.state).label},
        )
    if not has_transition_perm(method, actor):
        if case.cross_area_mode == "receive_forward" and permissions.is_receiving_clerk(case, actor):
            raise PermissionDenied(
                _("本大厅对该事项为异地代收：只能核验身份和材料、扫描并转交属地大厅，由属地受理和审批。")
            )
        raise PermissionDenied(_("您无权对该办件执行此操作。"))
    return method(*args)


def save_case(case: Case) -> None:
    """Recompute the clock and save; a concurrent change of state becomes CaseAlreadyHandled."""
    settled = bool(case.cross_area_mode) and case.state in HANDOFF_SETTLED_STATES
    # A decided cross-county case: its hand-off is marked decided (Handoff.decided).
    decided = bool(case.cross_area_mode) and case.state in DECIDED_STATES
    if settled:
        case.handoff_due = None  # a finished cross-county case has nothing left to travel
    case_clock_recompute(case)
    try:
        case.save()
    except ConcurrentTransition as exc:
        raise CaseAlreadyHandled() from exc
    if settled:
        Handoff.objects.filter(case_id=case.pk).exclude(state=HandoffState.CLOSED).update(
            state=HandoffState.CLOSED, next_due=None
        )
    elif decided:  # the owning hall's results to send back are read by this flag
        Handoff.objects.filter(case_id=case.pk, decided=False).update(decided=True)


def actor_role_and_hall(actor, case: Case) -> tuple[str, object]:
    """The part the actor plays on this case, and the hall they act at (for the audit event)."""
    if actor is None:
        return ApplicantRole.SYSTEM, None
    if case.applicant_id == actor.pk:
        return ApplicantRole.APPLICANT, None
    assignments = permissions._assignments(actor)
    intake_hall = permissions.intake_hall_id(case)
    preferences = [
        lambda a: a.role == StaffRole.WINDOW_CLERK and a.hall_id in (intake_hall, case.receiving_hall_id),
        lambda a: a.role == StaffRole.APPROVER and a.department_id == case.owning_department_id,
        lambda a: a.role == StaffRole.SUPERVISOR,
        lambda a: a.role == StaffRole.RESULT_CLERK and a.hall_id in (intake_hall, case.receiving_hall_id),
        lambda a: True,
    ]
    for matches in preferences:
        for assignment in assignments:
            if matches(assignment):
                return assignment.role, assignment.hall
    return "", None


def event_record(
    *,
    case: Case,
    kind: str,
    actor,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    changes: dict | None = None,
    ip: str | None = None,
    document: Document | None = None,
) -> CaseEvent:
    role, hall = actor_role_and_hall(actor, case)
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        actor_name=(actor.real_name or actor.username) if actor is not None else "系统",
        role=role,
        hall=hall,
        from_state=from_state,
        to_state=to_state,
        note=note,
        changes=changes or {},
        ip=_clean_ip(ip),
        document=document,
    )


def _clean_ip(ip: str | None) -> str | None:
    """A valid address or nothing (a forged header must not break the audit write)."""
    try:
        return str(ipaddress.ip_address((ip or "").strip())) if ip else None
    except ValueError:
        return None


def case_link(case: Case) -> str:
    """The applicant's page of the case (B2's `cases:detail`), if the URL exists yet."""
    try:
        return reverse("cases:detail", args=[case.pk])
    except NoReverseMatch:
        return ""


def notify_applicant(case: Case, *, kind: str, subject: str, body: str) -> None:
    notice_queue(
        recipient=case.applicant,
        kind=kind,
        subject=subject,
        body=body,
        link=case_link(case),
        case_number=case.number or "",
    )


def today() -> date:
    return timezone.localdate()


def add_working_days(start: date, days: int) -> date:
    """hall.workdays when the working-day calendar is there, else weekdays only."""
    try:
        from hall.workdays import add_working_days as calendar_add
    except ImportError:  # pragma: no cover - until the calendar lands
        calendar_add = None
    if calendar_add is not None:
        return calendar_add(start, days)
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    try:
        from hall.workdays import working_days_between as calendar_between
    except ImportError:  # pragma: no cover
        calendar_between = None
    if calendar_between is not None:
        return calendar_between(start, end)
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days += 1
    return days
