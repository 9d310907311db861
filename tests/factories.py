"""factory-boy factories shared by every test package. Apps add their own factories here as
`<Model>Factory`, with traits per state where a model has states."""

import itertools

import factory

from hall.constants import AccountKind, RegionLevel, StaffRole, WindowCategory
from hall.demo import DEMO_PASSWORD, make_credit_code, make_id_number
from hall.models import Department, Enterprise, Hall, Region, StaffAssignment, User, Window

_seq = itertools.count(100)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "441702"
    name = "江城区"
    level = RegionLevel.COUNTY


class HallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hall
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"H{n:02d}")
    name = factory.LazyAttribute(lambda o: f"{o.region.name}政务服务中心")
    region = factory.SubFactory(RegionFactory)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.LazyAttribute(lambda o: f"{o.region.name}市场监督管理局")
    short_name = "市场监管"
    region = factory.SubFactory(RegionFactory)
    credit_code = factory.LazyAttribute(lambda o: make_credit_code("11", o.region.code, f"{next(_seq):09d}"))


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Window

    hall = factory.SubFactory(HallFactory)
    number = factory.Sequence(lambda n: n + 1)
    category = WindowCategory.COMMERCIAL


class CitizenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    kind = AccountKind.PERSON
    real_name = factory.Sequence(lambda n: f"市民{n}")
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    username = factory.LazyAttribute(lambda o: o.mobile)
    id_number = factory.Sequence(lambda n: make_id_number("441702", "19900101", f"{n % 1000:03d}"))
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"阳江示例企业{n}有限公司")
    credit_code = factory.Sequence(lambda n: make_credit_code("91", "441702", f"MA{n:07d}"))
    legal_representative = "王芳"
    agent = factory.SubFactory(CitizenFactory, kind=AccountKind.ENTERPRISE)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    kind = AccountKind.STAFF
    username = factory.Sequence(lambda n: f"staff{n}")
    real_name = factory.Sequence(lambda n: f"工作人员{n}")
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffAssignment

    user = factory.SubFactory(StaffFactory)
    role = StaffRole.WINDOW_CLERK
    hall = factory.SubFactory(HallFactory)
    department = None
    window = None
