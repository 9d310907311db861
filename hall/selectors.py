"""Reads for the organisation, already scoped to the caller."""

from .constants import StaffRole
from .models import Hall, StaffAssignment, User

# Where each role lands after login, most operational first: a person with several roles lands
# on the first one they hold and reaches the others from the menu.
ROLE_ORDER = [
    StaffRole.WINDOW_CLERK,
    StaffRole.APPROVER,
    StaffRole.RESULT_CLERK,
    StaffRole.SUPERVISOR,
    StaffRole.CATALOGUE_ADMIN,
    StaffRole.SYSTEM_ADMIN,
]


def assignments_for_user(user: User):
    if not user.is_authenticated:
        return StaffAssignment.objects.none()
    return StaffAssignment.objects.filter(user=user).select_related("hall", "department", "window")


def primary_role(user: User) -> str | None:
    roles = {a.role for a in assignments_for_user(user)}
    for role in ROLE_ORDER:
        if role in roles:
            return role
    return None


def halls_for_role(user: User, role: str):
    return Hall.objects.filter(assignments__user=user, assignments__role=role).distinct()
