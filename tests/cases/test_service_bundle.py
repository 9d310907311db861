"""一件事: a parent case and one child per item, decided in parallel; the parent follows its children."""

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.constants import CaseState, EventKind
from cases.services import bundle_parent_state
from hall.models import Department
from tests.items.factories import BundleFactory, ItemFactory, ItemVersionFactory

from .helpers import attach_all

S = CaseState


@pytest.fixture
def bundle(cast):
    market = ItemVersionFactory(name="食品经营许可")
    civil = ItemVersionFactory(
        name="公共场所卫生许可",
        item=ItemFactory(department=Department.objects.get(region__code="441702", short_name="人社")),
    )
    return BundleFactory(name="开办餐馆", items=[market.item, civil.item])


def test_bundle_creates_parent_and_one_child_per_item(cast, bundle):
    parent = services.case_create_bundle(applicant=cast.citizen, bundle=bundle)
    children = list(parent.children.order_by("pk"))
    assert parent.is_bundle_parent and parent.item_version is None and parent.title == "开办餐馆"
    assert [c.item_version.name for c in children] == ["食品经营许可", "公共场所卫生许可"]
    assert len({c.owning_department_id for c in children}) == 2


def test_submit_parent_submits_children_and_parent_follows_slowest(cast, bundle):
    parent = services.case_create_bundle(applicant=cast.citizen, bundle=bundle)
    with pytest.raises(ValidationError, match="申请书"):
        services.case_submit(case=parent, actor=cast.citizen)
    food, hygiene = parent.children.order_by("pk")
    attach_all(food, cast.citizen)
    attach_all(hygiene, cast.citizen)
    services.case_submit(case=parent, actor=cast.citizen)
    parent.refresh_from_db()
    food.refresh_from_db()
    hygiene.refresh_from_db()
    assert parent.state == food.state == hygiene.state == S.SUBMITTED
    assert len({parent.number, food.number, hygiene.number}) == 3

    services.case_accept(case=food, actor=cast.clerk)
    parent.refresh_from_db()
    assert parent.state == S.SUBMITTED  # hygiene still waits
    services.case_accept(case=hygiene, actor=cast.clerk)
    parent.refresh_from_db()
    assert parent.state == S.ACCEPTED
    assert parent.events.filter(kind=EventKind.BUNDLE_FOLLOWED, actor=None).exists()

    services.case_grant(case=food, actor=cast.approver)  # the market department decides its own child
    parent.refresh_from_db()
    assert parent.state == S.ACCEPTED


def test_withdrawing_the_parent_withdraws_every_child(cast, bundle):
    parent = services.case_create_bundle(applicant=cast.citizen, bundle=bundle)
    for child in parent.children.all():
        attach_all(child, cast.citizen)
    services.case_submit(case=parent, actor=cast.citizen)
    services.case_withdraw(case=parent, actor=cast.citizen)
    parent.refresh_from_db()
    assert parent.state == S.WITHDRAWN
    assert set(parent.children.values_list("state", flat=True)) == {S.WITHDRAWN}


@pytest.mark.parametrize(
    "children,parent",
    [
        ([S.DRAFT, S.SUBMITTED], S.DRAFT),
        ([S.SUBMITTED, S.SUPPLEMENT_REQUESTED], S.SUPPLEMENT_REQUESTED),
        ([S.ACCEPTED, S.SUBMITTED], S.SUBMITTED),
        ([S.ACCEPTED, S.SUSPENDED], S.SUSPENDED),
        ([S.APPROVED, S.ACCEPTED], S.ACCEPTED),
        ([S.APPROVED, S.DENIED], S.DENIED),
        ([S.APPROVED, S.APPROVED], S.APPROVED),
        ([S.APPROVED, S.WITHDRAWN], S.APPROVED),
        ([S.REJECTED, S.WITHDRAWN], S.REJECTED),
        ([S.WITHDRAWN, S.WITHDRAWN], S.WITHDRAWN),
        ([S.DELIVERED, S.APPROVED], S.APPROVED),
    ],
)
def test_parent_state_rule(children, parent):
    assert bundle_parent_state(children) == parent


def test_a_child_is_not_submitted_on_its_own(cast, bundle):
    parent = services.case_create_bundle(applicant=cast.citizen, bundle=bundle)
    child = parent.children.first()
    attach_all(child, cast.citizen)
    with pytest.raises(ValidationError, match="一并提交"):
        services.case_submit(case=child, actor=cast.citizen)
    child.refresh_from_db()
    assert child.state == S.DRAFT
