"""Audited reads (GB/T 22239-2019 8.1.4.3, 8.1.4.11; 个人信息保护法 Art. 51): one append-only row each time
a staff member opens a citizen's personal data. Who (account and name), in which role and hall, what,
when, from which address."""

from ..constants import AccountKind
from ..models import AccessRecord
from ..selectors import ROLE_ORDER, staff_assignments
from .events import client_ip


def is_staff_reader(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (user.kind == AccountKind.STAFF or user.is_staff)


def reader_post(user, case_halls=()) -> tuple[str, int | None]:
    """(role, hall id) under which `user` reads: the assignment at one of the case's halls if any, else the
    first in the portal's role order."""
    assignments = list(staff_assignments(user))
    if not assignments:
        return "", None
    rank = {role: i for i, role in enumerate(ROLE_ORDER)}
    assignments.sort(key=lambda a: (a.hall_id not in case_halls, rank.get(a.role, 99)))
    return assignments[0].role, assignments[0].hall_id


def access_record(
    request, *, kind: str, case_id=None, case_number: str = "", target: str = "", case_halls=()
) -> AccessRecord | None:
    user = request.user
    if not is_staff_reader(user):
        return None
    role, hall_id = reader_post(user, case_halls)
    return AccessRecord.objects.create(
        actor=user,
        actor_name=(user.real_name or user.username)[:50],
        role=role,
        hall_id=hall_id,
        kind=kind,
        case_id=case_id,
        case_number=case_number or "",
        target=target[:200],
        ip=client_ip(request),
    )


def access_log_for_case(case_id: int, limit: int = 50):
    """谁查看过我的办件: the latest reads of one case (index access_by_case) as plain values, what the case
    page prints of them: created_at, hall__name, role and kind."""
    return list(
        AccessRecord.objects.filter(case_id=case_id)
        .order_by("-created_at", "-id")
        .values_list("created_at", "hall__name", "role", "kind", named=True)[:limit]
    )
