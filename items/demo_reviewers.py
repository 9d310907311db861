"""Demo catalogue reviewers: one per hall, a catalogue admin without a department of its own (the
catalogue office of the 政务服务数据管理局). It may review the items of its county (the city's, every
county's) but edit none, so that a demo change can pass its three steps with three people:
`jc_catalogue` files, `yj_catalogue` and `jc_catalogue_review` review. Idempotent."""

from django.db import transaction

from hall.constants import AccountKind, StaffRole
from hall.demo import DEMO_PASSWORD
from hall.models import Hall, StaffAssignment, User


def reviewer_username(hall_code: str) -> str:
    return f"{hall_code.lower()}_catalogue_review"


@transaction.atomic
def seed_catalogue_reviewers() -> int:
    for hall in Hall.objects.select_related("region"):
        user, created = User.objects.get_or_create(
            username=reviewer_username(hall.code),
            defaults={"kind": AccountKind.STAFF, "real_name": f"{hall.region.name}目录审核员"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        StaffAssignment.objects.update_or_create(
            user=user, role=StaffRole.CATALOGUE_ADMIN, hall=hall, defaults={"department": None, "window": None}
        )
    return StaffAssignment.objects.filter(user__username__endswith="_catalogue_review").count()
