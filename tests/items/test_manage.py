"""The catalogue admins' pages, for the owner (江城 catalogue admin), a colleague in another county
and outsiders (a citizen, a window clerk)."""

import datetime

import pytest
from django.urls import reverse

from items import services
from items.constants import VersionState
from items.models import ItemChange, ItemVersion

from .factories import ItemVersionFactory
from .helpers import edit_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def change(published, change_of):
    return change_of(published)


def test_catalogue_admin_lands_on_the_workbench(client, cast):
    client.force_login(cast.catalogue_admin)
    response = client.get(reverse("workbench"))
    assert response.status_code == 302 and response.url == reverse("items:workbench")
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize("who", ["citizen", "clerk", "approver"])
def test_outsiders_get_404(client, cast, published, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("items:workbench")).status_code == 404
    assert client.get(reverse("items:item_manage", args=[published.item_id])).status_code == 404


def test_anonymous_is_sent_to_login(client, published):
    response = client.get(reverse("items:workbench"))
    assert response.status_code == 302 and "/login/" in response.url


def test_other_county_admin_cannot_see_or_change_the_item(client, cast, published, change):
    client.force_login(cast.other_catalogue_admin)
    assert client.get(reverse("items:item_manage", args=[published.item_id])).status_code == 404
    assert client.get(reverse("items:change", args=[change.pk])).status_code == 404
    response = client.post(reverse("items:change_submit", args=[change.pk]))
    assert response.status_code == 404
    assert ItemVersion.objects.get(pk=change.version_id).state == VersionState.DRAFT


def test_workbench_lists_own_items_and_open_changes_with_deadlines(client, cast, published, change):
    client.force_login(cast.catalogue_admin)
    html = client.get(reverse("items:workbench")).content.decode()
    assert "食品经营许可" in html and "编辑并提交" in html and "提交调整" in html


def test_create_a_change_from_the_item_page(client, cast, published):
    client.force_login(cast.catalogue_admin)
    response = client.post(
        reverse("items:change_new", args=[published.item_id]),
        {"kind": "change", "cause": "law_revised", "cause_note": "条例修订", "cause_date": "2026-01-05"},
    )
    change = ItemChange.objects.get(item=published.item)
    assert response.status_code == 302 and response.url == reverse("items:change_edit", args=[change.pk])


def test_create_a_change_with_bad_input_shows_errors_next_to_fields(client, cast, published):
    client.force_login(cast.catalogue_admin)
    future = (datetime.date.today() + datetime.timedelta(days=5)).isoformat()
    response = client.post(
        reverse("items:change_new", args=[published.item_id]),
        {"kind": "nonsense", "cause": "law_revised", "cause_note": "", "cause_date": future},
    )
    assert response.status_code == 400
    form = response.context["change_form"]
    assert set(form.errors) >= {"kind", "cause_note", "cause_date"}
    assert "不能晚于今天" in form.errors["cause_date"][0]
    assert not ItemChange.objects.exists()


def test_transfer_without_target_is_refused_next_to_the_field(client, cast, published):
    client.force_login(cast.catalogue_admin)
    response = client.post(
        reverse("items:change_new", args=[published.item_id]),
        {"kind": "transfer", "cause": "function_changed", "cause_note": "职能调整", "cause_date": "2026-01-05"},
    )
    assert response.status_code == 400
    assert "承接部门" in response.context["change_form"].errors["target_department"][0]


def test_new_item_page(client, cast):
    from .factories import BaseItemFactory

    base = BaseItemFactory(name="个体工商户设立登记")
    client.force_login(cast.catalogue_admin)
    assert client.get(reverse("items:item_new")).status_code == 200
    response = client.post(
        reverse("items:item_new"),
        {
            "base_item": base.pk,
            "implementation_code": "11441702TEST0001",
            "department": cast.market_jc.pk,
            "cause": "reform",
            "cause_note": "省目录新增",
            "cause_date": "2026-01-05",
        },
    )
    assert response.status_code == 302
    bad = client.post(
        reverse("items:item_new"),
        {
            "base_item": base.pk,
            "implementation_code": "这不是编码",
            "department": cast.market_yd.pk,
            "cause": "reform",
            "cause_note": "x",
            "cause_date": "2026-01-05",
        },
    )
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"implementation_code", "department"}


def test_edit_saves_the_draft(client, cast, change):
    client.force_login(cast.catalogue_admin)
    url = reverse("items:change_edit", args=[change.pk])
    assert client.get(url).status_code == 200
    data = edit_post_data(change.version, promised_days="4", save="1")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert ItemVersion.objects.get(pk=change.version_id).promised_days == 4


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"promised_days": "30"}, "promised_days", "不得超过法定办结时限"),
        ({"promised_days": "abc"}, "promised_days", "整数"),
        ({"name": ""}, "name", "请填写事项名称"),
        ({"case_kind": "instant", "promised_days": "3"}, "promised_days", "即办件"),
    ],
)
def test_edit_with_bad_input_shows_the_error_next_to_the_field(client, cast, change, overrides, field, words):
    client.force_login(cast.catalogue_admin)
    response = client.post(reverse("items:change_edit", args=[change.pk]), edit_post_data(change.version, **overrides))
    assert response.status_code == 400
    assert words in " ".join(response.context["form"].errors[field])
    assert ItemVersion.objects.get(pk=change.version_id).promised_days == 10


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"materials-0-name": "其他有关材料"}, "name", "兜底"),
        ({"materials-0-name": "相关材料"}, "name", "兜底"),
        ({"materials-0-basis": ""}, "basis", "依据"),
    ],
)
def test_material_errors_sit_next_to_the_material_field(client, cast, change, overrides, field, words):
    client.force_login(cast.catalogue_admin)
    response = client.post(reverse("items:change_edit", args=[change.pk]), edit_post_data(change.version, **overrides))
    assert response.status_code == 400
    assert words in " ".join(response.context["materials"].forms[0].errors[field])


def test_save_and_submit_refuses_with_problems_shown_on_the_page(client, cast, change):
    client.force_login(cast.catalogue_admin)
    change.version.steps.all().delete()
    data = edit_post_data(change.version, submit="1")
    response = client.post(reverse("items:change_edit", args=[change.pk]), data)
    assert response.status_code == 400
    assert "请至少填写一个办理环节" in response.content.decode()
    assert ItemVersion.objects.get(pk=change.version_id).state == VersionState.DRAFT


def test_whole_flow_through_the_pages(client, cast, change, reviewers):
    city, colleague = reviewers
    client.force_login(cast.catalogue_admin)
    data = edit_post_data(change.version, promised_days="5", submit="1")
    response = client.post(reverse("items:change_edit", args=[change.pk]), data)
    assert response.status_code == 302
    assert ItemVersion.objects.get(pk=change.version_id).state == VersionState.LEGAL_REVIEW

    # The drafter cannot review their own change.
    client.post(reverse("items:change_legal_approve", args=[change.pk]), {"note": ""})
    assert ItemVersion.objects.get(pk=change.version_id).state == VersionState.LEGAL_REVIEW

    client.force_login(city)
    page = client.get(reverse("items:change", args=[change.pk])).content.decode()
    assert "合法性审查通过" in page
    client.post(reverse("items:change_legal_approve", args=[change.pk]), {"note": "依据准确"})
    assert ItemVersion.objects.get(pk=change.version_id).state == VersionState.CATALOGUE_REVIEW

    # Sending back needs a reason.
    client.force_login(colleague)
    response = client.post(reverse("items:change_return", args=[change.pk]), {"reason": ""}, follow=True)
    assert "退回理由" in response.content.decode()
    client.post(reverse("items:change_catalogue_approve", args=[change.pk]), {"note": ""})
    version = ItemVersion.objects.get(pk=change.version_id)
    assert version.state == VersionState.PUBLISHED and version.promised_days == 5
    assert version.item.current_version_id == version.pk


@pytest.mark.parametrize(
    "name", ["change_submit", "change_legal_approve", "change_catalogue_approve", "change_return", "change_discard"]
)
def test_workflow_endpoints_refuse_get(client, cast, change, name):
    client.force_login(cast.catalogue_admin)
    assert client.get(reverse(f"items:{name}", args=[change.pk])).status_code == 405


def test_discard_a_draft(client, cast, change):
    client.force_login(cast.catalogue_admin)
    response = client.post(reverse("items:change_discard", args=[change.pk]))
    assert response.status_code == 302
    assert not ItemChange.objects.filter(pk=change.pk).exists()


def test_compare_two_versions_side_by_side(client, cast, published, change_of, reviewers):
    change = change_of(published)
    ItemVersion.objects.filter(pk=change.version_id).update(promised_days=2)
    change.version.materials.filter(name="申请人身份证明").delete()
    services.change_submit(user=cast.catalogue_admin, change=change)
    client.force_login(cast.catalogue_admin)
    url = reverse("items:compare", args=[published.item_id])
    assert client.get(url).status_code == 302  # picks the two latest
    response = client.get(url, {"a": published.pk, "b": change.version_id})
    rows = {row.label: row for row in response.context["rows"]}
    assert rows["承诺办结时限"].changed and rows["承诺办结时限"].right == "2"
    assert not rows["事项名称"].changed
    statuses = {m.name: m.status for m in response.context["material_rows"]}
    assert statuses == {"申请书": "未变", "申请人身份证明": "删除"}, [
        (m.name, m.differences) for m in response.context["material_rows"]
    ]
    other = ItemVersionFactory()
    response = client.get(url, {"a": published.pk, "b": other.pk})
    assert "rows" not in response.context


def test_item_page_lists_versions_and_offers_a_change(client, cast, published):
    client.force_login(cast.catalogue_admin)
    response = client.get(reverse("items:item_manage", args=[published.item_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="change-form"' in html and "第1版" in html


def test_a_published_change_offers_no_action(client, cast, published, change_of, reviewers):
    change = change_of(published)
    services.change_submit(user=cast.catalogue_admin, change=change)
    services.change_legal_approve(user=reviewers[0], change=change)
    services.change_catalogue_approve(user=reviewers[1], change=change)
    for user in (cast.catalogue_admin, *reviewers):
        client.force_login(user)
        html = client.get(reverse("items:change", args=[change.pk])).content.decode()
        assert 'id="approve"' not in html and 'id="submit-change"' not in html
        assert "已发布" in html
