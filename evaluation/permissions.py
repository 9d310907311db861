"""Who may act on a rectification ticket: the responsible department's approvers and the clerk
rated (they answer for it), and the supervisors of the hall's region (they watch and decide
appeals). Answers from the cached staff assignments (cases.permissions)."""

from cases import permissions as case_permissions
from cases.supervision import supervision_regions
from hall.constants import StaffRole


def supervised_regions(user) -> set[int]:
    """The regions the user supervises (supervision_regions), read once per user object (one request)."""
    cached = getattr(user, "_evaluation_regions", None)
    if cached is None:
        cached = supervision_regions(user)
        user._evaluation_regions = cached
    return cached


def is_ticket_supervisor(ticket, user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return ticket.hall.region_id in supervised_regions(user)


def is_responsible(ticket, user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if ticket.clerk_id and ticket.clerk_id == user.pk:
        return True
    departments = case_permissions.departments_with_role(user, StaffRole.APPROVER)
    return bool(ticket.department_id and ticket.department_id in departments)


def can_handle_ticket(ticket, user) -> bool:
    return is_responsible(ticket, user) or is_ticket_supervisor(ticket, user)


def can_decide_appeal(ticket, user) -> bool:
    return is_ticket_supervisor(ticket, user)
