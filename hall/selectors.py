"""Reads for the organisation, already scoped to the caller."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from .constants import AttemptOutcome, DeliveryStatus, StaffRole
from .crypto import blind_index
from .models import Hall, NoticeDelivery, StaffAssignment, User
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


def staff_assignments(user) -> list:
    """The user's staff assignments (with hall, region, department and window), read once per user object
    and kept on it: the navigation, the permissions and the audit of one request share one read, from
    the shared cache (hall/usercache.py) or else the database."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_staff_assignments", None)
    if cached is None:
        from .usercache import load

        load(user, need="_staff_assignments")
        cached = user._staff_assignments
    return cached


def staff_assignments_query(user) -> list:
    """The database read behind staff_assignments (hall/usercache.py keeps its result)."""
    return list(StaffAssignment.objects.filter(user=user).select_related("hall__region", "department", "window"))


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


# Notice delivery log ---------------------------------------------------------------------------


def notice_deliveries_with_attempts(*, since=None, notice_ids=None, channel: str | None = None):
    """Notice deliveries annotated with their logged attempts: `logged_attempts` (all),
    `sent_attempts` (the gateway accepted), `duplicate_attempts` (the gateway recognised the
    idempotency key and did not send again), `failed_attempts`. Filters: notices created at or after
    `since`, the notices in `notice_ids`, one `channel`."""
    deliveries = NoticeDelivery.objects.all()
    if since is not None:
        deliveries = deliveries.filter(notice__created_at__gte=since)
    if notice_ids is not None:
        deliveries = deliveries.filter(notice_id__in=notice_ids)
    if channel:
        deliveries = deliveries.filter(channel=channel)
    return deliveries.annotate(
        logged_attempts=Count("attempt_log"),
        sent_attempts=Count("attempt_log", filter=Q(attempt_log__outcome=AttemptOutcome.SENT)),
        duplicate_attempts=Count("attempt_log", filter=Q(attempt_log__outcome=AttemptOutcome.DUPLICATE)),
        failed_attempts=Count("attempt_log", filter=Q(attempt_log__outcome=AttemptOutcome.FAILED)),
    )


@dataclass(frozen=True)
class NoticeTally:
    deliveries: int  # channels of the notices counted
    sent: int  # marked sent
    lost: int  # not sent (still pending or sending, or failed for good)
    failed: int  # failed for good after the last attempt
    sent_twice: int  # more than one attempt the gateway accepted: a citizen may have it twice
    attempts: int  # logged attempts
    duplicates_suppressed: int  # attempts the gateway recognised by their key and did not send


def notice_delivery_tally(*, since=None, notice_ids=None, channel: str | None = None) -> NoticeTally:
    """Exactly-once figures of notice delivery from the delivery log, e.g. for a fault run: "sent
    twice" counts deliveries with more than one successful attempt, "lost" those not sent."""
    annotated = notice_deliveries_with_attempts(since=since, notice_ids=notice_ids, channel=channel)
    figures = annotated.aggregate(
        deliveries=Count("pk"),
        sent=Count("pk", filter=Q(status=DeliveryStatus.SENT)),
        failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
        sent_twice=Count("pk", filter=Q(sent_attempts__gt=1)),
        attempts=Coalesce(Sum("logged_attempts"), 0),
        duplicates_suppressed=Coalesce(Sum("duplicate_attempts"), 0),
    )
    return NoticeTally(lost=figures["deliveries"] - figures["sent"], **figures)
