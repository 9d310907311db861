"""Factories of the item catalogue. `ItemVersionFactory()` gives a published version (with two
materials and the owning county's halls) that is its item's current version; traits `draft`,
`legal_review`, `catalogue_review`, `superseded` give the other states.

The owning department is the demo organisation's 江城区市场监督管理局 when the demo is loaded
(the `cast` / `demo` fixtures), else a fresh department."""

import itertools

import factory
from django.utils import timezone

from hall.models import Department, Hall
from items.constants import (
    CaseKind,
    CrossAreaScope,
    ItemType,
    MaterialSource,
    MaterialType,
    VersionState,
)
from items.models import BaseItem, Bundle, Item, ItemVersion, Material, ProcessStep
from items.search import fill_search_fields
from tests.factories import DepartmentFactory

_code = itertools.count(1)


def jc_market_department() -> Department:
    """The demo 江城区市场监督管理局 if the demo organisation is loaded, else a new department."""
    department = Department.objects.filter(region__code="441702", short_name="市场监管").first()
    return department or DepartmentFactory()


class BaseItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BaseItem
        django_get_or_create = ("base_code",)

    base_code = factory.LazyFunction(lambda: f"{next(_code) + 100000:09d}")
    name = factory.Sequence(lambda n: f"示例事项{n}")
    item_type = ItemType.LICENSING
    legal_basis = "《中华人民共和国行政许可法》第二十九条"


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    base_item = factory.SubFactory(BaseItemFactory)
    department = factory.LazyFunction(jc_market_department)
    region = factory.LazyAttribute(lambda o: o.department.region)
    implementation_code = factory.LazyAttribute(lambda o: f"{o.region.code}{o.base_item.base_code}{next(_code):04d}")


class ItemVersionFactory(factory.django.DjangoModelFactory):
    """A version; published (and made its item's current version) unless a trait says otherwise."""

    class Meta:
        model = ItemVersion
        skip_postgeneration_save = True

    class Params:
        published = factory.Trait(state=VersionState.PUBLISHED)
        draft = factory.Trait(state=VersionState.DRAFT)
        legal_review = factory.Trait(state=VersionState.LEGAL_REVIEW)
        catalogue_review = factory.Trait(state=VersionState.CATALOGUE_REVIEW)
        superseded = factory.Trait(state=VersionState.SUPERSEDED)
        instant = factory.Trait(case_kind=CaseKind.INSTANT, statutory_days=0, promised_days=0)

    item = factory.SubFactory(ItemFactory)
    number = factory.LazyAttribute(lambda o: o.item.versions.count() + 1)
    state = VersionState.PUBLISHED
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.state in (VersionState.PUBLISHED, VersionState.SUPERSEDED) else None
    )
    department = factory.LazyAttribute(lambda o: o.item.department)
    name = factory.LazyAttribute(lambda o: o.item.base_item.name)
    keywords = ""
    legal_basis = factory.LazyAttribute(lambda o: o.item.base_item.legal_basis)
    case_kind = CaseKind.PROMISED
    statutory_days = 20
    promised_days = 5
    visits_required = 1
    acceptance_conditions = "申请人具有完全民事行为能力，材料齐全、符合法定形式。"
    result_name = "许可证"
    service_objects = "1,2"
    handling_forms = "1,2"
    online_application = True
    cross_area_scope = CrossAreaScope.NONE
    handling_hours = "周一至周五 8:30-12:00，14:30-17:30（法定节假日除外）"
    consultation = "0662-12345"
    complaint = "12345政务服务便民热线"

    @factory.post_generation
    def receivable_halls(obj, create, extracted, **kwargs):  # noqa: N805
        if not create:
            return
        if extracted is not None:
            obj.receivable_halls.set(extracted)
        elif obj.cross_area_scope == CrossAreaScope.NONE:
            obj.receivable_halls.set(Hall.objects.filter(region=obj.item.region))
        else:
            obj.receivable_halls.set(Hall.objects.all())

    @factory.post_generation
    def materials(obj, create, extracted, **kwargs):  # noqa: N805
        """materials=N creates N materials (default 2: an application form and an ID card)."""
        if not create:
            return
        count = 2 if extracted is None else extracted
        for index in range(count):
            MaterialFactory(version=obj, order=index + 1, **_default_material(index))

    @factory.post_generation
    def steps(obj, create, extracted, **kwargs):  # noqa: N805
        if not create:
            return
        names = ["受理", "审查", "决定", "送达"] if extracted is None else extracted
        for index, name in enumerate(names, start=1):
            ProcessStep.objects.create(version=obj, order=index, name=name, handler="窗口工作人员")

    @factory.post_generation
    def make_current(obj, create, extracted, **kwargs):  # noqa: N805
        """A published version becomes its item's current version (the old one is superseded)."""
        if not create:
            return
        fill_search_fields(obj)
        obj.save()
        if obj.state != VersionState.PUBLISHED or extracted is False:
            return
        item = obj.item
        if item.current_version_id and item.current_version_id != obj.pk:
            ItemVersion.objects.filter(pk=item.current_version_id).update(
                state=VersionState.SUPERSEDED, superseded_at=timezone.now()
            )
        item.current_version = obj
        item.save(update_fields=["current_version"])


def _default_material(index: int) -> dict:
    defaults = [
        {"name": "申请书", "material_type": MaterialType.ORIGINAL, "deferrable": False},
        {
            "name": "申请人身份证明",
            "material_type": MaterialType.ORIGINAL_AND_COPY,
            "copy_copies": 1,
            "deferrable": True,
            "source_channel": MaterialSource.GOVERNMENT,
            "issuing_body": "公安机关",
        },
    ]
    return defaults[index] if index < len(defaults) else {"name": f"证明文件{index + 1}"}


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    version = factory.SubFactory(ItemVersionFactory, materials=0)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"证明文件{n}")
    mandatory = True
    deferrable = False
    basis = "《中华人民共和国行政许可法》第三十一条"
    acceptance_standard = "内容完整、真实有效"


class BundleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bundle
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"一件事{n}")
    description = "一次申请，并联审批，统一出件。"
    region = factory.LazyFunction(lambda: jc_market_department().region)

    @factory.post_generation
    def items(obj, create, extracted, **kwargs):  # noqa: N805
        """items=[...] sets the items; by default two new published items of the bundle's county."""
        if not create:
            return
        if extracted is None:
            extracted = [ItemVersionFactory().item for _ in range(2)]
        obj.items.set(extracted)
