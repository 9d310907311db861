"""Standardisation report (seed 003 “就少不就多、就短不就长、就简不就繁”).

For a base item implemented by several counties, each county's published guide side by side:
materials, limits and steps, with the leanest variant marked.

The leanest variant is the first in this order (seed 003's three criteria first, then tie-breaks
that keep the mark on exactly one county and stable between runs):
  1. fewest materials (every listed material, mandatory or not: each is one more thing to prepare);
  2. shortest promised limit (working days; an instant case counts 0);
  3. fewest steps;
  4. fewest mandatory materials;
  5. fewest visits required;
  6. shortest statutory limit;
  7. lowest region code (GB/T 2260).
Besides the overall mark, each column's best value is marked, so a county can see where it
lags even when another county is leanest overall.

Reads are scoped to the caller: a catalogue admin sees the base items their department line
(same short name, e.g. 市场监管) implements in their county or, for a city admin, in the counties
below; a catalogue admin without a department (the catalogue office) every item of their region
and below; a system admin sees all. Everything runs in a fixed number of queries.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from hall.constants import StaffRole
from hall.models import StaffAssignment

from .models import BaseItem, Item, ItemChange, ItemVersion, Material, ProcessStep
from .permissions import catalogue_assignments
from .validators import normalise_material_name

LEANEST_RULE = (
    "材料最少 → 承诺时限最短 → 环节最少；仍相同时依次比较必备材料数、到现场次数、法定时限，最后按行政区划代码取小者。"
)


@dataclass
class Variant:
    """One county's implementation of the base item, as compared."""

    item: Item
    version: ItemVersion
    materials: list[Material]
    steps: list[ProcessStep]
    is_leanest: bool = False
    best: set[str] = field(default_factory=set)  # the columns where this variant has the best value
    extra_materials: list[str] = field(default_factory=list)  # not asked by the leanest variant

    @property
    def material_count(self) -> int:
        return len(self.materials)

    @property
    def mandatory_count(self) -> int:
        return sum(1 for m in self.materials if m.mandatory)

    @property
    def step_count(self) -> int:
        return len(self.steps)

    @property
    def promised_days(self) -> int:
        return self.version.promised_days

    def sort_key(self) -> tuple:
        return (
            self.material_count,
            self.promised_days,
            self.step_count,
            self.mandatory_count,
            self.version.visits_required,
            self.version.statutory_days,
            self.item.region.code,
        )


@dataclass
class MaterialRow:
    """One material name across the variants: for each, "mandatory", "optional" or "" (not asked)."""

    name: str
    cells: list[str]


@dataclass
class Comparison:
    base_item: BaseItem
    variants: list[Variant]

    @property
    def leanest(self) -> Variant | None:
        return next((v for v in self.variants if v.is_leanest), None)

    @property
    def uniform(self) -> bool:
        """True when every county asks the same materials, limit and number of steps."""
        keys = {
            (tuple(sorted(normalise_material_name(m.name) for m in v.materials)), v.promised_days, v.step_count)
            for v in self.variants
        }
        return len(keys) <= 1

    def material_rows(self) -> list[MaterialRow]:
        names: dict[str, str] = {}
        for variant in self.variants:
            for material in variant.materials:
                names.setdefault(normalise_material_name(material.name), material.name)
        rows = []
        for key, name in names.items():
            cells = []
            for variant in self.variants:
                found = next((m for m in variant.materials if normalise_material_name(m.name) == key), None)
                cells.append("" if found is None else ("mandatory" if found.mandatory else "optional"))
            rows.append(MaterialRow(name=name, cells=cells))
        return rows


def _is_system_admin(user) -> bool:
    return StaffAssignment.objects.filter(user=user, role=StaffRole.SYSTEM_ADMIN).exists()


def standardisation_scope(user) -> Q | None:
    """The implementations whose base items this user may compare, or None for no access.

    - system admin: all;
    - catalogue admin of a department: that department line (same short name) in their region and
      the regions below it;
    - catalogue admin without a department (the catalogue office of the 政务服务数据管理局, which
      runs the standardisation): every item of their region and the regions below it."""
    if not user.is_authenticated:
        return None
    if _is_system_admin(user):
        return Q()
    assignments = catalogue_assignments(user)
    if not assignments:
        return None
    scope = Q(pk__in=[])
    for assignment in assignments:
        region = assignment.department.region if assignment.department_id else assignment.hall.region
        regions = Q(region_id=region.pk) | Q(region__parent_id=region.pk)
        if assignment.department_id:
            scope |= regions & Q(department__short_name=assignment.department.short_name)
        else:
            scope |= regions
    return scope


def standardisation_base_items(user) -> QuerySet[BaseItem] | None:
    """Base items in scope that two or more counties implement with a published guide,
    annotated with `county_count` and the range of promised limits. None when the user may not see the report at all."""
    scope = standardisation_scope(user)
    if scope is None:
        return None
    in_scope = Item.objects.filter(scope, current_version__isnull=False).values("base_item_id")
    return (
        BaseItem.objects.filter(pk__in=in_scope)
        .annotate(
            county_count=Count(
                "implementations",
                filter=Q(implementations__current_version__isnull=False),
                distinct=True,
            ),
            min_promised=Min("implementations__current_version__promised_days"),
            max_promised=Max("implementations__current_version__promised_days"),
        )
        .filter(county_count__gte=2)
        .order_by("base_code")
    )


def standardisation_comparison(user, base_code: str) -> Comparison | None:
    """The side-by-side comparison of one base item, or None if it is out of the user's scope."""
    base_items = standardisation_base_items(user)
    if base_items is None:
        return None
    base_item = base_items.filter(base_code=base_code).first()
    if base_item is None:
        return None
    return compare_implementations(base_item)


def compare_implementations(base_item: BaseItem) -> Comparison:
    """Every published implementation of `base_item`, the leanest marked (four queries)."""
    items = (
        Item.objects.filter(base_item=base_item, current_version__isnull=False)
        .select_related("region", "department", "current_version")
        .prefetch_related(
            Prefetch("current_version__materials", queryset=Material.objects.order_by("order", "id")),
            Prefetch("current_version__steps", queryset=ProcessStep.objects.order_by("order", "id")),
        )
        .order_by("region__code")
    )
    variants = [
        Variant(
            item=item,
            version=item.current_version,
            materials=list(item.current_version.materials.all()),
            steps=list(item.current_version.steps.all()),
        )
        for item in items
    ]
    mark_leanest(variants)
    return Comparison(base_item=base_item, variants=variants)


def mark_leanest(variants: list[Variant]) -> None:
    """Set `is_leanest`, `best` and `extra_materials` on each variant (see the module docstring)."""
    if not variants:
        return
    leanest = min(variants, key=Variant.sort_key)
    leanest.is_leanest = True
    columns = {
        "materials": lambda v: v.material_count,
        "promised_days": lambda v: v.promised_days,
        "steps": lambda v: v.step_count,
        "visits": lambda v: v.version.visits_required,
    }
    for column, value in columns.items():
        best = min(value(v) for v in variants)
        for variant in variants:
            if value(variant) == best:
                variant.best.add(column)
    lean_names = {normalise_material_name(m.name) for m in leanest.materials}
    for variant in variants:
        variant.extra_materials = [
            m.name for m in variant.materials if normalise_material_name(m.name) not in lean_names
        ]


# ---------------------------------------------------------------- adopting the leanest variant


@transaction.atomic
def standardisation_adopt(*, user, item: Item, model: Item) -> ItemChange:
    """File a change that brings `item` (a county's implementation) in line with `model` (the
    leanest implementation of the same base item), for review like any other change:

    1. a change 变更要素 with cause 标准化梳理 and a draft copied from the item's current version
       (items.services.change_create: the user must be allowed to edit the item);
    2. the draft takes the model's materials (with their blank forms and samples) and steps, its
       case kind and promised limit; the item keeps its own statutory limit, unless the model's
       promised limit would exceed it, and everything else of its own (halls, contacts, fees).
    """
    from django.core.exceptions import ValidationError

    from .constants import ChangeCause, ChangeKind
    from .services import change_create

    if model.base_item_id != item.base_item_id or model.pk == item.pk or model.current_version_id is None:
        raise ValidationError("只能按同一基本目录事项的另一个县区的现行版本进行统一。")
    source = model.current_version
    change = change_create(
        user=user,
        kind=ChangeKind.CHANGE,
        cause=ChangeCause.STANDARDISATION,
        cause_note=f"按标准化比对结果，统一为{model.region.name}的实施方式（申请材料、承诺时限、办理环节），"
        f"依据“就少不就多、就短不就长、就简不就繁”原则。",
        cause_date=timezone.localdate(),
        item=item,
    )
    draft = change.version
    draft.case_kind = source.case_kind
    draft.promised_days = source.promised_days
    draft.promised_note = source.promised_note
    draft.statutory_days = max(draft.statutory_days, source.promised_days)
    draft.save(update_fields=["case_kind", "promised_days", "promised_note", "statutory_days"])
    Material.objects.filter(version=draft).delete()
    ProcessStep.objects.filter(version=draft).delete()
    for model_row in (Material, ProcessStep):
        rows = list(model_row.objects.filter(version=source))
        for row in rows:
            row.pk = None
            row.version = draft
        model_row.objects.bulk_create(rows)
    return change
