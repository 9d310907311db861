"""Side-by-side comparison of two versions of a guide: every element, and the materials matched
by name (added, removed, changed)."""

from dataclasses import dataclass

from django.db import models

from .forms import MATERIAL_FIELDS, VersionForm
from .models import ItemVersion, Material
from .validators import normalise_material_name

MANY = {"themes", "life_events", "receivable_halls"}


def display_value(obj, name: str) -> str:
    """A field's value as a citizen reads it."""
    if name in MANY:
        return "、".join(str(x) for x in getattr(obj, name).all()) or "—"
    if name == "service_objects":
        return "、".join(obj.service_object_labels) or "—"
    if name == "handling_forms":
        return "、".join(obj.handling_form_labels) or "—"
    field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if field.choices:
        return getattr(obj, f"get_{name}_display")() or "—"
    if isinstance(field, models.BooleanField):
        return "是" if value else "否"
    if isinstance(field, models.FileField):
        return value.name.rsplit("/", 1)[-1] if value else "—"
    if value in (None, ""):
        return "—"
    return str(value)


@dataclass
class Row:
    label: str
    left: str
    right: str

    @property
    def changed(self) -> bool:
        return self.left != self.right


def compare_elements(left: ItemVersion, right: ItemVersion) -> list[Row]:
    rows = [Row("实施主体", str(left.implementing_department), str(right.implementing_department))]
    for name in VersionForm.Meta.fields:
        label = ItemVersion._meta.get_field(name).verbose_name
        rows.append(Row(str(label), display_value(left, name), display_value(right, name)))
    rows.append(Row("办理环节", _steps(left), _steps(right)))
    return rows


def _steps(version: ItemVersion) -> str:
    return " → ".join(step.name for step in version.steps.all()) or "—"


@dataclass
class MaterialRow:
    name: str
    left: Material | None
    right: Material | None
    differences: list[Row]

    @property
    def status(self) -> str:
        if self.left is None:
            return "新增"
        if self.right is None:
            return "删除"
        return "修改" if self.differences else "未变"


def compare_materials(left: ItemVersion, right: ItemVersion) -> list[MaterialRow]:
    lefts = {normalise_material_name(m.name): m for m in left.materials.all()}
    rights = {normalise_material_name(m.name): m for m in right.materials.all()}
    keys = list(lefts) + [k for k in rights if k not in lefts]
    rows = []
    for key in keys:
        a, b = lefts.get(key), rights.get(key)
        differences = []
        if a and b:
            for name in MATERIAL_FIELDS:
                if name == "order":
                    continue
                va, vb = display_value(a, name), display_value(b, name)
                if va != vb:
                    differences.append(Row(str(Material._meta.get_field(name).verbose_name), va, vb))
        rows.append(MaterialRow((a or b).name, a, b, differences))
    return rows
