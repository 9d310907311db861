"""Who may run which transition of a case: the `permission=` callables of the state machine.

Each callable takes (case, user) and answers from the user's staff assignments (hall.StaffAssignment)
or from the case's applicant. They never write. The assignments are read once per user object and
kept on it, so a page that asks about many cases does not query once per case.
"""

from hall.constants import StaffRole
from hall.selectors import staff_assignments


def _assignments(user) -> list:
    return staff_assignments(user)


def halls_with_role(user, role: str) -> set[int]:
    return {a.hall_id for a in _assignments(user) if a.role == role}


def departments_with_role(user, role: str) -> set[int]:
    return {a.department_id for a in _assignments(user) if a.role == role and a.department_id}


def regions_with_role(user, role: str) -> set[int]:
    return {a.hall.region_id for a in _assignments(user) if a.role == role}


def intake_hall_id(case) -> int | None:
    """The hall that reviews the application (accept, supplement, refuse): the hall it was handed to, else
    the one that received it. A case received at another county's hall in 异地代收 mode (receive and
    forward) is reviewed only by the owning hall it was handed to, once that hall has confirmed receipt
    of the file (custody passed to it); the receiving hall checks form and identity, scans and forwards."""
    if case.cross_area_mode == "receive_forward":
        handed = case.handed_to_hall_id
        return handed if handed is not None and case.custodian_hall_id == handed else None
    return case.handed_to_hall_id or case.receiving_hall_id


def is_applicant(case, user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and case.applicant_id == user.pk)


def is_intake_clerk(case, user) -> bool:
    """A window clerk of the hall that received the case or that it was handed to."""
    return intake_hall_id(case) in halls_with_role(user, StaffRole.WINDOW_CLERK)


def is_receiving_clerk(case, user) -> bool:
    halls = halls_with_role(user, StaffRole.WINDOW_CLERK)
    return case.receiving_hall_id in halls or case.handed_to_hall_id in halls


def forwarded_away_from(case, user) -> bool:
    """A window clerk of the receiving hall of a case it has forwarded (异地代收): from then on it acts only on
    its own stages (supplements handed in there, the result coming back), not on the file."""
    if case.cross_area_mode != "receive_forward" or case.handed_to_hall_id is None:
        return False
    halls = halls_with_role(user, StaffRole.WINDOW_CLERK)
    return case.receiving_hall_id in halls and case.handed_to_hall_id not in halls


def is_deciding_approver(case, user) -> bool:
    """An approver of the department that owns the item and decides."""
    return case.owning_department_id is not None and case.owning_department_id in departments_with_role(
        user, StaffRole.APPROVER
    )


def is_supervisor(case, user) -> bool:
    """A supervisor of the region of the hall or department concerned, or of its parent region (city)."""
    regions = regions_with_role(user, StaffRole.SUPERVISOR)
    if not regions:
        return False
    case_regions = set()
    for hall in (case.receiving_hall, case.handed_to_hall):
        if hall is not None:
            case_regions |= {hall.region_id, hall.region.parent_id}
    if case.owning_department is not None:
        region = case.owning_department.region
        case_regions |= {region.id, region.parent_id}
    return bool(regions & case_regions)


def is_agency_head(case, user) -> bool:
    """The head of the department that decides (本行政机关负责人, Art. 42)."""
    return case.owning_department_id is not None and case.owning_department_id in departments_with_role(
        user, StaffRole.AGENCY_HEAD
    )


def is_result_clerk(case, user) -> bool:
    """A result-window clerk of the hall that received the case, that it was handed to, or where the
    applicant chose to collect the result (any hall of the city)."""
    halls = halls_with_role(user, StaffRole.RESULT_CLERK)
    return case.receiving_hall_id in halls or case.handed_to_hall_id in halls or case.delivery_hall_id in halls


# The callables named in the transitions (models.Case).
def can_submit(case, user) -> bool:
    return is_applicant(case, user) or is_receiving_clerk(case, user)


def can_review_intake(case, user) -> bool:
    return is_intake_clerk(case, user)


def can_supplement(case, user) -> bool:
    return is_applicant(case, user) or is_receiving_clerk(case, user)


def can_withdraw(case, user) -> bool:
    return is_applicant(case, user)


def can_decide(case, user) -> bool:
    return is_deciding_approver(case, user)


def can_approve_extension(case, user) -> bool:
    return is_agency_head(case, user)


def can_deliver(case, user) -> bool:
    """The result window hands out and posts; an electronic result is delivered when the applicant first
    downloads it or when the portal sees the notice read (user None)."""
    if is_result_clerk(case, user):
        return True
    top = case.parent if case.parent_id else case
    return top.delivery_method == "electronic" and (user is None or is_applicant(top, user))


def can_archive(case, user) -> bool:
    """The result window or the deciding department; the portal itself (user None) for a bundle's parts."""
    return user is None or is_result_clerk(case, user) or is_deciding_approver(case, user)


def system_only(case, user) -> bool:
    """Transitions the portal itself makes (a bundle's parent following its children)."""
    return user is None
