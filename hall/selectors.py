"""Reads for the organisation, already scoped to the caller."""

from .constants import StaffRole
from .crypto import blind_index
from .models import Hall, StaffAssignment, User
from .validators import ID_NUMBER_RE, MOBILE_RE, normalise_identifier

# Where each role lands after login, most operational first: a person with several roles lands
# on the first one they hold and reaches the others from the menu.
ROLE_ORDER = [
    StaffRole.WINDOW_CLERK,
    StaffRole.APPROVER,
    StaffRole.RESULT_CLERK,
    StaffRole.SUPERVISOR,
    StaffRole.AGENCY_HEAD,
    StaffRole.ARCHIVIST,
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


# ---- accounts by identifier -------------------------------------------------------------------
# The only way the portal finds an account by ID number or mobile (registration, login, counter,
# imports, seeds). The value is normalised here, so full-width or spaced input finds the same account,
# and a value that cannot be an identifier never reaches the database.


def user_by_id_number(value) -> User | None:
    id_number = normalise_identifier(value)
    if not ID_NUMBER_RE.fullmatch(id_number):
        return None
    # ID numbers are stored SM4-encrypted: the exact match runs on the SM3-HMAC blind index.
    return User.objects.filter(id_number_index=blind_index(id_number)).order_by("pk").first()


def user_by_mobile(value) -> User | None:
    """The account whose mobile is this number; a citizen's username is their mobile, so an account
    that holds the number as its username (and no mobile) is found too."""
    mobile = normalise_identifier(value)
    if not MOBILE_RE.fullmatch(mobile):
        return None
    return (
        User.objects.filter(mobile_index=blind_index(mobile)).order_by("pk").first()
        or User.objects.filter(username=mobile).order_by("pk").first()
    )
