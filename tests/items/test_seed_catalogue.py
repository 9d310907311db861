"""The demo catalogue (demand 10) and its loader: real items in four window categories, every
county's implementation published, valid by the catalogue's own rules, and a loader that changes
nothing when run twice."""

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from hall.constants import WindowCategory
from items import demo_catalogue as data
from items.models import BaseItem, Bundle, Item, ItemVersion, Material, ProcessStep
from items.services import version_problems
from items.validators import (
    is_catch_all_material_name,
    validate_base_code,
    validate_implementation_code,
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_demo_data_follows_the_catalogue_rules():
    assert len(data.ITEMS) >= 30
    assert {i["window_category"] for i in data.ITEMS} >= {
        WindowCategory.INVESTMENT,
        WindowCategory.REAL_ESTATE,
        WindowCategory.COMMERCIAL,
        WindowCategory.SOCIAL,
    }
    assert len({i["department"] for i in data.ITEMS}) >= 5
    assert len({i["base_code"] for i in data.ITEMS}) == len(data.ITEMS)
    for region in data.COUNTIES:
        for guide in data.items_for_region(region):
            validate_base_code(guide["base_code"])
            validate_implementation_code(data.implementation_code("11441702000000001P", guide["base_code"]))
            assert guide["promised_days"] <= guide["statutory_days"], guide["name"]
            assert 3 <= len(guide["steps"]) <= 6, guide["name"]
            assert guide["legal_basis"] and "第" in guide["legal_basis"], guide["name"]
            for material in guide["materials"]:
                assert material["basis"].strip(), (guide["name"], material["name"])
                assert not is_catch_all_material_name(material["name"]), material["name"]
    assert len(data.BUNDLES) >= 2


def test_counties_differ_so_the_standardisation_report_has_something_to_show():
    varied = [i for i in data.ITEMS if i.get("variants")]
    assert len(varied) >= 8
    food = next(i for i in data.ITEMS if i["name"] == "食品经营许可")
    limits = {
        g["promised_days"] for r in data.COUNTIES for g in data.items_for_region(r) if g["name"] == "食品经营许可"
    }
    assert len(limits) > 1 and food["variants"]


def test_seed_publishes_every_county_implementation(cast, media):
    call_command("seed_catalogue")

    expected = sum(len(data.items_for_region(r)) for r in data.COUNTIES)
    items = Item.objects.filter(current_version__isnull=False)
    assert items.count() == expected >= 120
    assert BaseItem.objects.count() == len(data.ITEMS)
    assert set(items.values_list("region__code", flat=True)) == set(data.COUNTIES)
    assert items.values("department__short_name").distinct().count() == 6
    for version in ItemVersion.objects.filter(state="published").prefetch_related("materials", "steps"):
        assert version_problems(version) == {}, (version.name, version_problems(version))
        assert version.pinyin_initials and version.search_text
    jc_food = Item.objects.get(region__code="441702", base_item__name="食品经营许可").current_version
    assert jc_food.promised_days == 3 and jc_food.statutory_days == 10
    form = jc_food.materials.get(name="食品经营许可申请书")
    assert form.blank_form and form.sample
    assert default_storage.open(form.blank_form.name).read(5) == b"%PDF-"
    for bundle in Bundle.objects.all():
        assert bundle.items.count() >= 2
        assert {i.region_id for i in bundle.items.all()} == {bundle.region_id}
    assert Bundle.objects.filter(region__code="441702").count() >= 2


def _snapshot():
    return (
        sorted(Item.objects.values_list("implementation_code", "current_version_id")),
        ItemVersion.objects.count(),
        Material.objects.count(),
        ProcessStep.objects.count(),
        sorted(
            (b.name, b.region_id, tuple(sorted(b.items.values_list("pk", flat=True)))) for b in Bundle.objects.all()
        ),
    )


def test_seed_twice_changes_nothing(cast, media):
    call_command("seed_catalogue")
    before = _snapshot()
    form = Material.objects.exclude(blank_form="").first().blank_form.name
    default_storage.delete(form)  # e.g. a wiped media folder
    call_command("seed_catalogue")
    assert _snapshot() == before
    assert default_storage.exists(form)


def test_seed_needs_the_demo_organisation(db, media):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_catalogue")
