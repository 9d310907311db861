"""Who may do what to the catalogue.

- A catalogue admin edits (files, edits, submits, discards) the items of the departments they are
  assigned to.
- Reviews (legal review, catalogue review) are done by catalogue admins of the item's county or
  of the city above it, and never by someone who already did a step of the same change: filing,
  legal review and catalogue review are three different people (seed 003).
"""

from hall.constants import StaffRole
from hall.models import Department, Region, StaffAssignment

from .constants import VersionState
from .models import Item, ItemChange, ItemVersion

# Guides anyone may read: the current one and every one it replaced.
PUBLIC_STATES = (VersionState.PUBLISHED, VersionState.SUPERSEDED)


def catalogue_assignments(user) -> list[StaffAssignment]:
    if not user.is_authenticated:
        return []
    return list(
        StaffAssignment.objects.filter(user=user, role=StaffRole.CATALOGUE_ADMIN).select_related(
            "hall__region", "department__region"
        )
    )


def editable_department_ids(user) -> set[int]:
    return {a.department_id for a in catalogue_assignments(user) if a.department_id}


def editable_departments(user):
    return Department.objects.filter(pk__in=editable_department_ids(user)).select_related("region")


def review_region_ids(user) -> set[int]:
    """The regions whose items this user may review: their own, and every county below a city."""
    own = {a.department.region_id if a.department_id else a.hall.region_id for a in catalogue_assignments(user)}
    below = set(Region.objects.filter(parent_id__in=own).values_list("pk", flat=True))
    return own | below


def is_catalogue_admin(user) -> bool:
    return bool(catalogue_assignments(user))


def can_edit_item(user, item: Item) -> bool:
    return item.department_id in editable_department_ids(user)


def can_review_item(user, item: Item) -> bool:
    return item.region_id in review_region_ids(user)


def can_read_version(user, version: ItemVersion) -> bool:
    """A published (or superseded) guide is public; a draft or one under review, with its blank forms
    and samples, only to the catalogue admins who edit its item or review its county."""
    if version.state in PUBLIC_STATES:
        return True
    return can_edit_item(user, version.item) or can_review_item(user, version.item)


def earlier_step_people(change: ItemChange) -> set[int]:
    return {pk for pk in (change.filed_by_id, change.submitted_by_id, change.legal_reviewer_id) if pk}
