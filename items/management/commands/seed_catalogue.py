"""Load the demo catalogue (fixtures/catalogue/*.yaml, read by items/demo_catalogue.py) idempotently.

1. Themes and life events, base items: created or brought up to date by their natural keys.
2. Each county's implementation: created once with a published version 1 (the initial load of a
   system admin, not a change under review: see docs/catalogue.md). An item that already has a
   current version is left alone, so running the command twice changes nothing and never
   overwrites what catalogue admins have since published.
3. Bundles (一件事) per county, by name.
4. Blank forms and sample files are small PDFs under fixtures/catalogue/, copied (back) into media
   storage and shared by every material of the same name. `--build-fixtures` renders them again
   (WeasyPrint, real CJK glyphs) from the form rows in fixtures/catalogue/form_rows.yaml.
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from hall.constants import WindowCategory
from hall.demo import DEPARTMENTS, make_credit_code
from hall.models import Department, Hall, Region
from items import demo_catalogue as data
from items.cache import catalogue_cache_clear
from items.constants import CrossAreaScope, VersionState
from items.models import BaseItem, Bundle, Item, ItemVersion, LifeEvent, Material, ProcessStep, Theme
from items.search import fill_search_fields, pinyin_initials

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures" / "catalogue"
STORAGE_DIR = "items/demo"
DEPARTMENT_INDEX = {key: index for index, (key, _template, _short) in enumerate(DEPARTMENTS, start=1)}
VERSION_FIELDS = {f.name for f in ItemVersion._meta.concrete_fields} - {"id", "item", "number", "state"}
MATERIAL_FIELDS = {f.name for f in Material._meta.concrete_fields} - {"id", "version", "blank_form", "sample"}


class Command(BaseCommand):
    help = "Load the demo item catalogue: 34 items in four counties, materials, forms, bundles (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--build-fixtures", action="store_true", help="render the blank-form PDFs again")

    def handle(self, *args, build_fixtures=False, **options):
        if build_fixtures:
            count = build_form_fixtures()
            self.stdout.write(f"rendered {count} form files into {FIXTURE_DIR}")
        counts = seed_catalogue()
        self.stdout.write(self.style.SUCCESS("demo catalogue: " + ", ".join(f"{k} {v}" for k, v in counts.items())))


def department_for(region_code: str, key: str) -> Department:
    return Department.objects.get(credit_code=make_credit_code("11", region_code, f"{DEPARTMENT_INDEX[key]:09d}"))


@transaction.atomic
def seed_catalogue() -> dict[str, int]:
    if not Region.objects.filter(code__in=data.COUNTIES).exists():
        raise CommandError("先运行 seed_demo 载入演示组织（区划、大厅、部门），再载入事项目录。")
    now = timezone.now()
    created = 0
    _restore_stored_fixtures()
    for item in data.ITEMS:
        BaseItem.objects.update_or_create(
            base_code=item["base_code"],
            defaults={"name": item["name"], "item_type": item["item_type"], "legal_basis": item["legal_basis"]},
        )
    for region_code in data.COUNTIES:
        region = Region.objects.get(code=region_code)
        halls = _halls(region)
        for guide in data.items_for_region(region_code):
            created += _implementation(region=region, guide=guide, halls=halls, now=now)
    bundles = _bundles()
    if created:
        transaction.on_commit(catalogue_cache_clear)
    return {
        "base_items": BaseItem.objects.filter(base_code__in=[i["base_code"] for i in data.ITEMS]).count(),
        "implementations_created": created,
        "published_items": Item.objects.filter(current_version__isnull=False).count(),
        "bundles": bundles,
    }


def _halls(region: Region) -> dict[str, list[Hall]]:
    own = list(Hall.objects.filter(region=region))
    return {"own": own, "all": list(Hall.objects.all())}


def _implementation(*, region: Region, guide: dict, halls: dict, now) -> int:
    department = department_for(region.code, guide["department"])
    code = data.implementation_code(department.credit_code, guide["base_code"])
    item, _ = Item.objects.get_or_create(
        implementation_code=code,
        defaults={
            "base_item": BaseItem.objects.get(base_code=guide["base_code"]),
            "region": region,
            "department": department,
        },
    )
    if item.current_version_id or item.versions.exists():
        return 0
    version = ItemVersion(item=item, number=1, state=VersionState.PUBLISHED, published_at=now)
    for key, value in _version_values(guide, department=department, halls=halls["own"]).items():
        setattr(version, key, value)
    fill_search_fields(version)
    version.full_clean(exclude=["item"])
    version.save()
    version.themes.set([_theme(Theme, name, guide["audience"]) for name in guide.get("themes", [])])
    version.life_events.set([_theme(LifeEvent, name, guide["audience"]) for name in guide.get("life_events", [])])
    cross_area = guide.get("cross_area_scope", CrossAreaScope.NONE) != CrossAreaScope.NONE
    version.receivable_halls.set(halls["all"] if cross_area else halls["own"])
    ProcessStep.objects.bulk_create(
        ProcessStep(version=version, order=order, name=name, handler=handler, time_limit=limit, description=text)
        for order, (name, handler, limit, text) in enumerate(guide["steps"], start=1)
    )
    Material.objects.bulk_create(
        _material(version, order, row, issuer=department.name) for order, row in enumerate(guide["materials"], start=1)
    )
    item.current_version = version
    item.save(update_fields=["current_version"])
    return 1


def _version_values(guide: dict, *, department: Department, halls: list[Hall]) -> dict:
    values = {key: value for key, value in guide.items() if key in VERSION_FIELDS}
    hall = halls[0] if halls else None
    category = WindowCategory(guide["window_category"])
    window = hall.windows.filter(category=category).first() if hall else None
    values.update(
        department=department,
        exercise_level=4,
        exercise_content=f"{department.region.name}行政区域内的{guide['name']}",
        process_description="→".join(step[0] for step in guide["steps"]),
        handling_location=(
            f"{hall.name}（{hall.address}）{window.number}号窗口（{category.label}）" if hall and window else ""
        ),
        handling_hours=hall.opening_hours if hall else "",
        consultation=f"{department.name}{guide.get('handling_unit', '')}；政务服务中心咨询电话 {hall.phone if hall else ''}",
        complaint="12345政务服务便民热线；广东政务服务网“好差评”；阳江市政务服务数据管理局",
    )
    if "window_category" in VERSION_FIELDS:
        values["window_category"] = guide["window_category"]
    return values


def _theme(model, name: str, audience: str):
    theme, _ = model.objects.get_or_create(name=name, audience=audience)
    return theme


def _material(version: ItemVersion, order: int, row: dict, *, issuer: str) -> Material:
    material = Material(version=version, order=order, **{k: v for k, v in row.items() if k in MATERIAL_FIELDS})
    if row.get("blank_form"):
        material.blank_form = stored_fixture(row, kind="form", issuer=issuer)
    if row.get("sample"):
        material.sample = stored_fixture(row, kind="sample", issuer=issuer)
    material.full_clean(exclude=["version"])
    return material


def fixture_name(material_name: str, kind: str) -> str:
    """A stable ASCII file name: pinyin initials of the material plus a short hash of its name."""
    digest = hashlib.sha256(material_name.encode()).hexdigest()[:6]
    return f"{kind}-{pinyin_initials(material_name)[:24]}-{digest}.pdf"


def stored_fixture(row: dict, *, kind: str, issuer: str) -> str:
    """The storage path of the material's file, copied from fixtures/ (rendered if missing)."""
    name = fixture_name(row["name"], kind)
    path = f"{STORAGE_DIR}/{name}"
    if not default_storage.exists(path):
        source = FIXTURE_DIR / name
        content = source.read_bytes() if source.exists() else render_form(row, kind=kind, issuer=issuer)
        default_storage.save(path, ContentFile(content))
    return path


def _restore_stored_fixtures() -> None:
    """Copy back any form file missing from media storage (e.g. a wiped media folder), so the
    materials loaded earlier keep working downloads."""
    for source in sorted(FIXTURE_DIR.glob("*.pdf")):
        path = f"{STORAGE_DIR}/{source.name}"
        if not default_storage.exists(path):
            default_storage.save(path, ContentFile(source.read_bytes()))


def render_form(row: dict, *, kind: str, issuer: str = "阳江市政务服务数据管理局") -> bytes:
    from hall.pdf import render_pdf

    is_sample = kind == "sample"
    rows = [(label, sample if is_sample else "") for label, sample in data.form_rows(row["name"])]
    return render_pdf(
        "items/io/pdf_form.html",
        {
            "title": row["name"] + ("（示例样表）" if is_sample else ""),
            "issuer": issuer,
            "item_name": row.get("item_name", ""),
            "rows": rows,
            "is_sample": is_sample,
            "basis": row["basis"],
            "filling_notes": row.get("filling_notes", ""),
        },
    )


def build_form_fixtures() -> int:
    FIXTURE_DIR.mkdir(parents=True, exist_ok=True)
    rendered = {}
    for item in data.ITEMS:
        rows = [*item["materials"]]
        for variant in item.get("variants", {}).values():
            rows += variant.get("extra_materials", [])
        for row in rows:
            for kind in ("form", "sample"):
                if row.get("blank_form" if kind == "form" else "sample"):
                    name = fixture_name(row["name"], kind)
                    if name not in rendered:
                        rendered[name] = render_form({**row, "item_name": item["name"]}, kind=kind)
    for name, content in rendered.items():
        (FIXTURE_DIR / name).write_bytes(content)
    return len(rendered)


def _bundles() -> int:
    count = 0
    for spec in data.BUNDLES:
        event = _theme(LifeEvent, spec["life_event"], spec["audience"])
        for region_code in spec["regions"]:
            region = Region.objects.get(code=region_code)
            items = list(
                Item.objects.filter(
                    region=region, base_item__base_code__in=spec["base_codes"], current_version__isnull=False
                )
            )
            if len(items) < 2:
                continue
            bundle, _ = Bundle.objects.get_or_create(
                name=spec["name"],
                region=region,
                defaults={"description": spec["description"], "life_event": event},
            )
            bundle.items.set(items)
            count += 1
    return count
