"""The demo city (DOMAIN.md §8): 阳江市 and its counties, a hall for each, departments, windows,
one staff account per role per hall and a few citizens. Loaded idempotently by `seed_demo`."""

from django.db import transaction

from .constants import AccountKind, RegionLevel, StaffRole, WindowCategory
from .models import Department, Enterprise, Hall, Region, StaffAssignment, User, Window
from .selectors import user_by_mobile
from .validators import credit_code_check_char, id_number_check_char

DEMO_PASSWORD = "Tongban#2026"

REGIONS = [
    ("441700", "阳江市", RegionLevel.CITY, None),
    ("441702", "江城区", RegionLevel.COUNTY, "441700"),
    ("441704", "阳东区", RegionLevel.COUNTY, "441700"),
    ("441721", "阳西县", RegionLevel.COUNTY, "441700"),
    ("441781", "阳春市", RegionLevel.COUNTY, "441700"),
]

# (hall code, region code, name, address); the code prefixes every case number of the hall.
HALLS = [
    ("YJ", "441700", "阳江市政务服务中心", "阳江市江城区东风三路市民服务中心"),
    ("JC", "441702", "江城区政务服务中心", "阳江市江城区新江北路"),
    ("YD", "441704", "阳东区政务服务中心", "阳江市阳东区东城镇"),
    ("YX", "441721", "阳西县政务服务中心", "阳江市阳西县织篢镇"),
    ("YC", "441781", "阳春市政务服务中心", "阳春市春城街道"),
]

# Departments present at every level: (key, name template, short name).
DEPARTMENTS = [
    ("market", "{region}市场监督管理局", "市场监管"),
    ("land", "{region}自然资源局", "自然资源"),
    ("hrss", "{region}人力资源和社会保障局", "人社"),
    ("civil", "{region}民政局", "民政"),
    ("drc", "{region}发展和改革局", "发展改革"),
    ("police", "{region}公安局", "公安"),
]

WINDOWS = [
    (1, WindowCategory.INVESTMENT),
    (2, WindowCategory.REAL_ESTATE),
    (3, WindowCategory.COMMERCIAL),
    (4, WindowCategory.SOCIAL),
    (5, WindowCategory.CROSS_AREA),
    (6, WindowCategory.RESULT),
]

# The window each role sits at, and the department it works for where that matters.
ROLE_POST = {
    StaffRole.WINDOW_CLERK: (WindowCategory.COMMERCIAL, None),
    StaffRole.APPROVER: (None, "market"),
    StaffRole.RESULT_CLERK: (WindowCategory.RESULT, None),
    StaffRole.SUPERVISOR: (None, None),
    # 机关负责人 of the county's 市场监督管理局 (the approvers' department): approves extensions (Art. 42).
    StaffRole.AGENCY_HEAD: (None, "market"),
    StaffRole.ARCHIVIST: (None, None),
    StaffRole.CATALOGUE_ADMIN: (None, "market"),
    StaffRole.SYSTEM_ADMIN: (None, None),
}

ROLE_USERNAME = {
    StaffRole.WINDOW_CLERK: "clerk",
    StaffRole.APPROVER: "approver",
    StaffRole.RESULT_CLERK: "result",
    StaffRole.SUPERVISOR: "supervisor",
    StaffRole.AGENCY_HEAD: "head",
    StaffRole.ARCHIVIST: "archivist",
    StaffRole.CATALOGUE_ADMIN: "catalogue",
    StaffRole.SYSTEM_ADMIN: "sysadmin",
}

# (name, birth date, sequence, mobile); ID numbers are built with a correct check digit.
CITIZENS = [
    ("张伟", "19850312", "123", "13800000001"),
    ("李娜", "19900725", "246", "13800000002"),
    ("陈建国", "19520101", "315", "13800000003"),
]
ENTERPRISE = ("阳江市海韵贸易有限公司", "王芳", "19880808", "424", "13800000004", "91441702MA4W000")


def make_id_number(area: str, birth: str, seq: str) -> str:
    first17 = area + birth + seq
    return first17 + id_number_check_char(first17)


def make_credit_code(prefix: str, region: str, org: str) -> str:
    first17 = (prefix + region + org)[:17]
    return first17 + credit_code_check_char(first17)


def staff_username(hall_code: str, role: str) -> str:
    return f"{hall_code.lower()}_{ROLE_USERNAME[role]}"


@transaction.atomic
def seed_demo() -> dict[str, int]:
    regions = {}
    for code, name, level, parent in REGIONS:
        regions[code], _ = Region.objects.update_or_create(
            code=code, defaults={"name": name, "level": level, "parent": regions.get(parent)}
        )
    departments = {}
    for code, region in regions.items():
        for index, (key, template, short) in enumerate(DEPARTMENTS, start=1):
            credit = make_credit_code("11", code, f"{index:09d}")
            departments[(code, key)], _ = Department.objects.update_or_create(
                credit_code=credit,
                defaults={"name": template.format(region=region.name), "short_name": short, "region": region},
            )
    halls = {}
    for code, region_code, name, address in HALLS:
        halls[code], _ = Hall.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "region": regions[region_code],
                "is_city_hall": region_code == "441700",
                "address": address,
                "opening_hours": "周一至周五 8:30-12:00，14:30-17:30（法定节假日除外）",
                "phone": "0662-12345",
            },
        )
        for number, category in WINDOWS:
            Window.objects.update_or_create(
                hall=halls[code], number=number, defaults={"category": category, "name": category.label}
            )
    for code, hall in halls.items():
        for role, (window_category, department_key) in ROLE_POST.items():
            user, created = User.objects.get_or_create(
                username=staff_username(code, role),
                defaults={"kind": AccountKind.STAFF, "real_name": f"{hall.region.name}{role.label}"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = role == StaffRole.SYSTEM_ADMIN
                user.is_superuser = role == StaffRole.SYSTEM_ADMIN
                user.save()
            StaffAssignment.objects.update_or_create(
                user=user,
                role=role,
                hall=hall,
                defaults={
                    "department": departments[(hall.region.code, department_key)] if department_key else None,
                    "window": hall.windows.filter(category=window_category).first() if window_category else None,
                },
            )
    for name, birth, seq, mobile in CITIZENS:
        _citizen(name, make_id_number("441702", birth, seq), mobile, AccountKind.PERSON)
    ent_name, agent_name, birth, seq, mobile, credit_prefix = ENTERPRISE
    agent = _citizen(agent_name, make_id_number("441702", birth, seq), mobile, AccountKind.ENTERPRISE)
    Enterprise.objects.get_or_create(
        agent=agent,
        defaults={
            "name": ent_name,
            "credit_code": credit_prefix + "XX" + credit_code_check_char(credit_prefix + "XX"),
            "legal_representative": agent_name,
        },
    )
    return {
        "regions": Region.objects.count(),
        "halls": Hall.objects.count(),
        "departments": Department.objects.count(),
        "staff": StaffAssignment.objects.count(),
        "citizens": User.objects.exclude(kind=AccountKind.STAFF).count(),
    }


def _citizen(name: str, id_number: str, mobile: str, kind: str) -> User:
    user = user_by_mobile(mobile)
    if user is None:
        user = User(username=mobile, real_name=name, id_number=id_number, mobile=mobile, kind=kind)
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user
