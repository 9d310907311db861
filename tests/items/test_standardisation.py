"""Standardisation report (demand 7): a base item implemented by several counties, side by side,
the leanest marked by seed 003's rule (fewest materials, then shortest limit, then fewest steps,
then the documented tie-breaks), scoped to catalogue admins."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hall.constants import StaffRole
from hall.models import Department
from items.standardisation import compare_implementations, standardisation_base_items, standardisation_comparison
from tests.factories import AssignmentFactory, StaffFactory

from .factories import BaseItemFactory, ItemFactory, ItemVersionFactory, MaterialFactory

COUNTY_CODES = ["441702", "441704", "441721", "441781"]


def _implement(base, region_code, *, materials=2, promised=5, steps=("受理", "审查", "决定"), extra=()):
    department = Department.objects.get(region__code=region_code, short_name="市场监管")
    item = ItemFactory(base_item=base, department=department, region=department.region)
    version = ItemVersionFactory(item=item, promised_days=promised, materials=materials, steps=list(steps))
    for name in extra:
        MaterialFactory(version=version, name=name)
    return item


@pytest.fixture
def base(cast):
    return BaseItemFactory(base_code="0100010006", name="食品经营许可")


def _leanest(comparison):
    return comparison.leanest.item.region.code


def test_fewest_materials_wins_before_limit_and_steps(base):
    _implement(base, "441702", materials=2, promised=3, steps=("受理", "审查", "决定"), extra=["布局图"])
    _implement(base, "441704", materials=2, promised=10, steps=("受理", "审查", "决定"))
    _implement(base, "441721", materials=2, promised=5, steps=("受理", "审查", "决定", "发证"))

    comparison = compare_implementations(base)

    # 441704 and 441721 tie on materials (2); 441721 has the shorter limit, so steps never decide.
    assert _leanest(comparison) == "441721"
    by_region = {v.item.region.code: v for v in comparison.variants}
    assert by_region["441702"].best >= {"promised_days", "steps"} and "materials" not in by_region["441702"].best
    assert by_region["441702"].extra_materials == ["布局图"]
    assert by_region["441704"].extra_materials == []


def test_steps_decide_when_materials_and_limit_tie(base):
    _implement(base, "441702", steps=("受理", "审查", "决定", "发证"))
    _implement(base, "441781", steps=("受理", "决定", "发证"))
    assert _leanest(compare_implementations(base)) == "441781"


def test_a_full_tie_goes_to_the_lower_region_code(base):
    for code in reversed(COUNTY_CODES):
        _implement(base, code)
    comparison = compare_implementations(base)
    assert _leanest(comparison) == "441702"
    assert sum(v.is_leanest for v in comparison.variants) == 1
    assert comparison.uniform


def test_material_matrix_lists_every_name_once(base):
    _implement(base, "441702")
    _implement(base, "441704", extra=["食品安全管理人员培训考核合格证明"])
    rows = {row.name: row.cells for row in compare_implementations(base).material_rows()}
    assert rows["食品安全管理人员培训考核合格证明"] == ["", "mandatory"]
    assert rows["申请书"] == ["mandatory", "mandatory"]


def test_scope(cast, base):
    _implement(base, "441702")
    _implement(base, "441704")
    city_admin = StaffFactory()
    AssignmentFactory(
        user=city_admin,
        role=StaffRole.CATALOGUE_ADMIN,
        hall=cast.halls["YJ"],
        department=Department.objects.get(region__code="441700", short_name="市场监管"),
    )
    hrss_admin = StaffFactory()
    AssignmentFactory(
        user=hrss_admin,
        role=StaffRole.CATALOGUE_ADMIN,
        hall=cast.halls["JC"],
        department=Department.objects.get(region__code="441702", short_name="人社"),
    )
    office = StaffFactory()  # the catalogue office of the county: reviews, owns no department
    AssignmentFactory(user=office, role=StaffRole.CATALOGUE_ADMIN, hall=cast.halls["YD"], department=None)
    for user in (cast.catalogue_admin, cast.other_catalogue_admin, city_admin, cast.admin, office):
        assert list(standardisation_base_items(user)) == [base], user
        assert standardisation_comparison(user, base.base_code) is not None
    far_office = StaffFactory()  # 阳西县's office: neither county of this comparison is its own
    AssignmentFactory(user=far_office, role=StaffRole.CATALOGUE_ADMIN, hall=cast.halls["YX"], department=None)
    assert list(standardisation_base_items(far_office)) == []
    assert list(standardisation_base_items(hrss_admin)) == []
    assert standardisation_comparison(hrss_admin, base.base_code) is None
    assert standardisation_base_items(cast.clerk) is None


def test_a_base_item_of_one_county_only_is_not_listed(cast, base):
    _implement(base, "441702")
    assert list(standardisation_base_items(cast.catalogue_admin)) == []


def test_page_marks_the_leanest(client, cast, base):
    _implement(base, "441702", extra=["布局图"])
    _implement(base, "441704")
    client.force_login(cast.catalogue_admin)

    response = client.get(reverse("items:standardisation_item", args=[base.base_code]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "最精简" in html and "阳东区" in html and "布局图" in html
    assert response.context["comparison"].leanest.item.region.code == "441704"
    assert client.get(reverse("items:standardisation")).status_code == 200
    assert client.get(reverse("items:standardisation_item", args=["9999999999"])).status_code == 404


@pytest.mark.parametrize("who", ["clerk", "citizen"])
def test_page_is_for_catalogue_admins_only(client, cast, base, who):
    _implement(base, "441702")
    _implement(base, "441704")
    client.force_login(getattr(cast, who))
    assert client.get(reverse("items:standardisation")).status_code == 404
    assert client.get(reverse("items:standardisation_item", args=[base.base_code])).status_code == 404


def test_anonymous_is_sent_to_login(client, base):
    response = client.get(reverse("items:standardisation"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_queries_do_not_grow_with_the_number_of_counties(cast, base):
    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            comparison = standardisation_comparison(cast.catalogue_admin, base.base_code)
            comparison.material_rows()
            [(v.material_count, v.step_count) for v in comparison.variants]
        return len(captured.captured_queries)

    _implement(base, "441702")
    _implement(base, "441704")
    two = count_queries()
    _implement(base, "441721", extra=["布局图"])
    _implement(base, "441781")
    assert count_queries() == two


def test_the_list_shows_where_promised_limits_differ(cast, base):
    _implement(base, "441702", promised=3)
    _implement(base, "441704", promised=7)
    listed = standardisation_base_items(cast.catalogue_admin).get()
    assert (listed.county_count, listed.min_promised, listed.max_promised) == (2, 3, 7)


def test_a_county_adopts_the_leanest_variant_through_a_reviewed_change(client, cast, base):
    from items.models import ItemChange

    lean = _implement(base, "441702", promised=3, steps=("受理", "决定", "发证"))
    heavy = _implement(base, "441704", promised=7, extra=["食品安全管理人员培训考核合格证明"])
    published = heavy.current_version
    client.force_login(cast.other_catalogue_admin)  # 阳东区市场监管
    page = client.get(reverse("items:standardisation_item", args=[base.base_code])).content.decode()
    assert page.count("按最精简方式统一") == 1  # only for its own, non-leanest county

    response = client.post(reverse("items:standardisation_adopt", args=[base.base_code, heavy.pk]))

    change = ItemChange.objects.get(item=heavy)
    assert response.status_code == 302 and response["Location"] == reverse("items:change_edit", args=[change.pk])
    draft = change.version
    assert change.cause == "standardisation" and "江城区" in change.cause_note
    assert draft.state == "draft" and draft.promised_days == 3
    assert list(draft.materials.values_list("name", flat=True)) == list(
        lean.current_version.materials.values_list("name", flat=True)
    )
    assert list(draft.steps.values_list("name", flat=True)) == ["受理", "决定", "发证"]
    heavy.refresh_from_db()
    assert heavy.current_version == published and published.promised_days == 7


def test_adopting_is_refused_for_another_county_and_the_leanest_itself(client, cast, base):
    from items.models import ItemChange

    lean = _implement(base, "441702", promised=3)
    heavy = _implement(base, "441704", promised=7)
    client.force_login(cast.catalogue_admin)  # 江城区: may not edit 阳东区's item
    client.post(reverse("items:standardisation_adopt", args=[base.base_code, heavy.pk]))
    client.post(reverse("items:standardisation_adopt", args=[base.base_code, lean.pk]))
    assert not ItemChange.objects.exists()
    client.force_login(cast.clerk)
    assert client.post(reverse("items:standardisation_adopt", args=[base.base_code, heavy.pk])).status_code == 404
