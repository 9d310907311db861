import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from items import services
from items.constants import ChangeAction, VersionState
from items.models import Item, ItemVersion
from items.selectors import change_deadlines

from .factories import BaseItemFactory, ItemVersionFactory, MaterialFactory

pytestmark = pytest.mark.django_db


def _publish(change, reviewers, submitter):
    city, colleague = reviewers
    services.change_submit(user=submitter, change=change)
    services.change_legal_approve(user=city, change=change, note="合法")
    return services.change_catalogue_approve(user=colleague, change=change)


def test_new_draft_copies_the_published_version_with_materials_steps_and_halls(published, change_of):
    published.themes.create(name="餐饮", audience="enterprise")
    change = change_of(published)
    draft = change.version
    assert draft.state == VersionState.DRAFT and draft.number == 2
    assert draft.name == published.name and draft.promised_days == 10
    assert [m.name for m in draft.materials.all()] == [m.name for m in published.materials.all()]
    assert draft.materials.first().pk != published.materials.first().pk
    assert draft.steps.count() == published.steps.count() == 4
    assert set(draft.receivable_halls.all()) == set(published.receivable_halls.all())
    assert draft.themes.count() == 1
    assert change.events.get().action == ChangeAction.FILED


def test_full_workflow_publishes_and_supersedes_without_touching_the_old_row(cast, published, change_of, reviewers):
    change = change_of(published)
    ItemVersion.objects.filter(pk=change.version_id).update(promised_days=3)
    before = ItemVersion.objects.filter(pk=published.pk).values().get()
    _publish(change, reviewers, cast.catalogue_admin)

    item = Item.objects.get(pk=published.item_id)
    assert item.current_version_id == change.version_id
    assert item.current_version.state == VersionState.PUBLISHED
    assert item.current_version.promised_days == 3
    assert item.current_version.pinyin_initials == "spjyxk"
    after = ItemVersion.objects.filter(pk=published.pk).values().get()
    assert after["state"] == VersionState.SUPERSEDED and after["superseded_at"]
    assert {k: v for k, v in after.items() if k not in ("state", "superseded_at")} == {
        k: v for k, v in before.items() if k not in ("state", "superseded_at")
    }
    assert [e.action for e in change.events.all()] == [
        ChangeAction.FILED,
        ChangeAction.SUBMITTED,
        ChangeAction.LEGAL_APPROVED,
        ChangeAction.CATALOGUE_APPROVED,
    ]


def test_each_step_needs_a_different_person(cast, published, change_of, reviewers):
    city, colleague = reviewers
    change = change_of(published)
    services.change_submit(user=cast.catalogue_admin, change=change)
    with pytest.raises(PermissionDenied, match="不同的人员"):
        services.change_legal_approve(user=cast.catalogue_admin, change=change)
    services.change_legal_approve(user=city, change=change)
    with pytest.raises(PermissionDenied, match="不同的人员"):
        services.change_catalogue_approve(user=city, change=change)
    with pytest.raises(PermissionDenied, match="不同的人员"):
        services.change_catalogue_approve(user=cast.catalogue_admin, change=change)
    assert ItemVersion.objects.get(pk=change.version_id).state == VersionState.CATALOGUE_REVIEW
    services.change_catalogue_approve(user=colleague, change=change)


def test_reviews_out_of_order_or_out_of_scope_are_refused(cast, published, change_of, reviewers):
    city, _ = reviewers
    change = change_of(published)
    with pytest.raises(ValidationError, match="草稿"):
        services.change_legal_approve(user=city, change=change)
    services.change_submit(user=cast.catalogue_admin, change=change)
    with pytest.raises(PermissionDenied, match="不能审核"):
        services.change_legal_approve(user=cast.other_catalogue_admin, change=change)
    with pytest.raises(ValidationError):
        services.change_catalogue_approve(user=city, change=change)


def test_other_county_admin_cannot_change_the_item(cast, published):
    with pytest.raises(PermissionDenied):
        services.change_create(
            user=cast.other_catalogue_admin,
            kind="change",
            cause="law_revised",
            cause_note="x",
            cause_date=datetime.date.today(),
            item=published.item,
        )


def test_return_sends_the_draft_back_with_a_reason_and_review_starts_again(cast, published, change_of, reviewers):
    city, colleague = reviewers
    change = change_of(published)
    services.change_submit(user=cast.catalogue_admin, change=change)
    services.change_legal_approve(user=city, change=change)
    with pytest.raises(ValidationError):
        services.change_return(user=colleague, change=change, reason="  ")
    services.change_return(user=colleague, change=change, reason="承诺时限写错了")
    change.refresh_from_db()
    assert change.version.state == VersionState.DRAFT
    assert change.legal_reviewer is None
    assert change.events.last().note == "承诺时限写错了"


def test_submit_refuses_catch_all_material_and_missing_basis(cast, published, change_of):
    change = change_of(published)
    MaterialFactory(version=change.version, name="其他相关材料")
    MaterialFactory(version=change.version, name="营业执照", basis="")
    with pytest.raises(ValidationError) as error:
        services.change_submit(user=cast.catalogue_admin, change=change)
    problems = error.value.message_dict
    assert any("兜底" in m for m in problems["materials-2-name"])
    assert any("依据" in m for m in problems["materials-3-basis"])
    assert ItemVersion.objects.get(pk=change.version_id).state == VersionState.DRAFT


def test_submit_refuses_halls_outside_the_county_when_not_cross_area(cast, published, change_of):
    change = change_of(published)
    change.version.receivable_halls.add(cast.halls["YD"])
    with pytest.raises(ValidationError) as error:
        services.change_submit(user=cast.catalogue_admin, change=change)
    assert "阳东区政务服务中心" in error.value.message_dict["receivable_halls"][0]


def test_one_open_change_per_item(published, change_of):
    change_of(published)
    with pytest.raises(ValidationError, match="正在办理"):
        change_of(published)


def test_add_creates_an_item_and_discard_removes_it(cast):
    base = BaseItemFactory(name="个体工商户注册登记")
    change = services.change_create(
        user=cast.catalogue_admin,
        kind="add",
        cause="reform",
        cause_note="省事项目录调整",
        cause_date=datetime.date.today(),
        base_item=base,
        implementation_code="11441702x",
        department=cast.market_jc,
    )
    assert change.item.implementation_code == "11441702X"
    assert change.item.current_version is None
    services.change_discard(user=cast.catalogue_admin, change=change)
    assert not Item.objects.filter(implementation_code="11441702X").exists()


def test_add_refuses_malformed_codes_and_foreign_departments(cast):
    base = BaseItemFactory()
    with pytest.raises(ValidationError) as error:
        services.change_create(
            user=cast.catalogue_admin,
            kind="add",
            cause="reform",
            cause_note="x",
            cause_date=datetime.date.today(),
            base_item=base,
            implementation_code="1144-17 02",
            department=cast.market_yd,
        )
    assert set(error.value.message_dict) == {"implementation_code", "department"}


def test_cancel_removes_the_item_from_the_catalogue_but_keeps_its_versions(cast, published, change_of, reviewers):
    change = change_of(published, kind="cancel")
    _publish(change, reviewers, cast.catalogue_admin)
    item = Item.objects.get(pk=published.item_id)
    assert item.current_version is None and item.cancelled_on
    assert item.versions.count() == 2


def test_transfer_moves_the_item_to_the_target_department(cast, published, change_of, reviewers):
    from hall.models import Department

    target = Department.objects.get(region__code="441702", short_name="民政")
    change = change_of(published, kind="transfer", target_department=target)
    assert change.version.department == target
    _publish(change, reviewers, cast.catalogue_admin)
    item = Item.objects.get(pk=published.item_id)
    assert item.department == target
    published.refresh_from_db()
    assert published.implementing_department == cast.market_jc


def test_delegate_needs_a_department_one_level_down(cast, reviewers):
    from hall.models import Department

    city_department = Department.objects.get(region__code="441700", short_name="市场监管")
    version = ItemVersionFactory(item__department=city_department, item__region=city_department.region)
    city_admin = reviewers[0]
    with pytest.raises(ValidationError, match="下一级"):
        services.change_create(
            user=city_admin,
            kind="delegate",
            cause="reform",
            cause_note="x",
            cause_date=datetime.date.today(),
            item=version.item,
            target_department=Department.objects.get(region__code="441700", short_name="民政"),
        )
    change = services.change_create(
        user=city_admin,
        kind="delegate",
        cause="reform",
        cause_note="x",
        cause_date=datetime.date.today(),
        item=version.item,
        target_department=cast.market_yd,
    )
    assert change.version.department == cast.market_yd


def test_deadlines_count_working_days(published, change_of):
    change = change_of(published)
    change.cause_date = datetime.date(2026, 9, 25)  # Friday before the National Day holiday
    deadlines = change_deadlines(change)
    assert deadlines[0].limit_days == 10
    assert deadlines[0].due > datetime.date(2026, 10, 9)
    assert deadlines[1].due is None and deadlines[1].status == "未开始"


def test_demo_reviewer_reviews_its_county_but_edits_nothing(cast, published):
    from hall.models import User
    from items.demo_reviewers import seed_catalogue_reviewers
    from items.permissions import can_edit_item, can_review_item

    assert seed_catalogue_reviewers() == seed_catalogue_reviewers() == len(cast.halls)
    reviewer = User.objects.get(username="jc_catalogue_review")
    assert can_review_item(reviewer, published.item)
    assert not can_edit_item(reviewer, published.item)
    yd_reviewer = User.objects.get(username="yd_catalogue_review")
    assert not can_review_item(yd_reviewer, published.item)
    city_reviewer = User.objects.get(username="yj_catalogue_review")
    assert can_review_item(city_reviewer, published.item)
