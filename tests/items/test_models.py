import pytest
from django.db import IntegrityError, transaction

from items.constants import VersionState
from items.models import ItemVersion

from .factories import BundleFactory, ItemFactory, ItemVersionFactory, MaterialFactory

pytestmark = pytest.mark.django_db


def test_factory_gives_a_published_current_version_of_the_jc_market_department(cast):
    version = ItemVersionFactory()
    assert version.state == VersionState.PUBLISHED
    assert version.item.current_version == version
    assert version.item.department == cast.market_jc
    assert [m.name for m in version.materials.all()] == ["申请书", "申请人身份证明"]
    assert list(version.receivable_halls.all()) == [cast.halls["JC"]]
    assert version.pinyin_initials


def test_factory_works_without_the_demo_organisation():
    version = ItemVersionFactory(draft=True)
    assert version.state == VersionState.DRAFT
    assert version.item.current_version is None
    MaterialFactory(version=version)
    assert BundleFactory().items.count() == 2


def test_a_second_published_version_supersedes_the_first():
    first = ItemVersionFactory()
    second = ItemVersionFactory(item=first.item)
    first.refresh_from_db()
    assert first.state == VersionState.SUPERSEDED
    assert second.item.current_version == second
    assert second.number == 2


def test_database_refuses_promised_over_statutory():
    item = ItemFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersion.objects.create(
            item=item,
            number=1,
            name="x",
            legal_basis="x",
            statutory_days=5,
            promised_days=6,
            acceptance_conditions="x",
            result_name="x",
        )


def test_database_refuses_two_open_drafts_of_one_item():
    draft = ItemVersionFactory(draft=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemVersionFactory(item=draft.item, legal_review=True)
