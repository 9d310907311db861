"""Import and export of an item list as XLSX or CSV (docs/catalogue.md).

The file: one sheet (or one CSV), one row per material. The item's own columns are repeated on
each of its material rows and must agree; an item without materials has one row with the
material columns empty. Steps travel in one cell, one step a line: 名称｜岗位｜时限｜办理标准.
Choices are written as their Chinese labels (codes are accepted too), yes/no as 是/否.

Import:
1. read and parse every row; 2. group the rows by 实施编码 and check each item (codes, limits,
   catch-all names, bases, departments, scope); 3. if any row has a problem, report every
   problem by row number and column and write NOTHING; 4. otherwise, in one transaction, items
   whose rows equal their current published guide are left alone, and each other item gets:
   - for a catalogue admin: a change (新增 or 变更要素) with a draft version that then goes
     through legal review and catalogue review like any change made in the editor;
   - for a system admin choosing 初始载入: a version published at once, recorded as a change
     with its events (the initial load of a catalogue has nobody yet to review it).
   A problem found while writing (e.g. the item already has an open change) rolls everything back.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from hall.constants import StaffRole
from hall.models import Department, Hall, StaffAssignment
from hall.validators import normalise_identifier

from .cache import catalogue_cache_clear
from .constants import (
    CaseKind,
    ChangeAction,
    ChangeKind,
    CrossAreaMode,
    CrossAreaScope,
    HandlingForm,
    ItemType,
    LimitUnit,
    MaterialForm,
    MaterialSource,
    MaterialType,
    ServiceObject,
    VersionState,
)
from .models import BaseItem, ChangeEvent, Item, ItemChange, ItemVersion, Material, ProcessStep
from .permissions import catalogue_assignments, editable_department_ids, review_region_ids
from .search import fill_search_fields
from .services import change_create, version_problems
from .validators import is_catch_all_material_name, validate_base_code, validate_implementation_code

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
MAX_COLUMNS = 100
STEP_SEPARATOR = "｜"
FORMULA_PREFIXES = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str = "text"  # text, int, bool, choice, multi, steps
    choices: type | None = None
    required: bool = False
    material: bool = False


ITEM_COLUMNS = [
    Column("实施编码", "implementation_code", required=True),
    Column("基本编码", "base_code", required=True),
    Column("事项名称", "name", required=True),
    Column("事项类型", "item_type", "choice", ItemType, required=True),
    Column("实施主体统一社会信用代码", "department", required=True),
    Column("实施主体", "department_name"),
    Column("设定依据", "legal_basis", required=True),
    Column("办件类型", "case_kind", "choice", CaseKind, required=True),
    Column("时限单位", "limit_unit", "choice", LimitUnit, required=True),
    Column("法定办结时限", "statutory_days", "int", required=True),
    Column("承诺办结时限", "promised_days", "int", required=True),
    Column("到办事现场次数", "visits_required", "int", required=True),
    Column("服务对象", "service_objects", "multi", ServiceObject, required=True),
    Column("办理形式", "handling_forms", "multi", HandlingForm, required=True),
    Column("是否网办", "online_application", "bool", required=True),
    Column("通办范围", "cross_area_scope", "choice", CrossAreaScope, required=True),
    Column("异地办理方式", "cross_area_mode", "choice", CrossAreaMode, required=True),
    Column("受理条件", "acceptance_conditions", required=True),
    Column("审批结果名称", "result_name", required=True),
    Column("是否收费", "charges_fee", "bool", required=True),
    Column("收费依据", "fee_basis"),
    Column("收费标准", "fee_standard"),
    Column("承办机构", "handling_unit"),
    Column("关键词", "keywords"),
    Column("办理流程", "steps", "steps", required=True),
]
MATERIAL_COLUMNS = [
    Column("材料名称", "name", material=True),
    Column("材料类型", "material_type", "choice", MaterialType, material=True),
    Column("材料形式", "material_form", "choice", MaterialForm, material=True),
    Column("原件份数", "original_copies", "int", material=True),
    Column("复印件份数", "copy_copies", "int", material=True),
    Column("是否必备", "mandatory", "bool", material=True),
    Column("来源渠道", "source_channel", "choice", MaterialSource, material=True),
    Column("出具机构", "issuing_body", material=True),
    Column("要求提供材料的依据", "basis", material=True),
    Column("受理标准", "acceptance_standard", material=True),
    Column("填报须知", "filling_notes", material=True),
    Column("可容缺", "deferrable", "bool", material=True),
]
COLUMNS = ITEM_COLUMNS + MATERIAL_COLUMNS
HEADERS = [c.header for c in COLUMNS]
VERSION_FIELDS = [
    c.field
    for c in ITEM_COLUMNS
    if c.field not in ("implementation_code", "base_code", "item_type", "department", "department_name", "steps")
]
MATERIAL_FIELDS = [c.field for c in MATERIAL_COLUMNS]


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        return f"{where}「{self.column}」：{self.message}" if self.column else f"{where}：{self.message}"


@dataclass
class ItemRows:
    """The parsed rows of one item: its values (from its first row) and its materials."""

    first_row: int
    values: dict
    materials: list[dict] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    differing: list[tuple[int, dict]] = field(default_factory=list)  # later rows that disagree
    department: Department | None = None
    item: Item | None = None


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    change_ids: dict[str, int] = field(default_factory=dict)  # implementation code → ItemChange pk
    published: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRefused(Exception):
    """Raised inside the write transaction to roll it back with row-level errors."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


# ---------------------------------------------------------------- export


def items_for_export(user, *, region_code: str = ""):
    """The published items this user may export: a catalogue admin their departments' items (the
    catalogue office, without a department, every item of its region and below), a system admin
    every item; optionally one county's."""
    items = Item.objects.filter(current_version__isnull=False)
    if not is_system_admin(user):
        scope = Q(department_id__in=editable_department_ids(user))
        if any(a.department_id is None for a in catalogue_assignments(user)):
            scope |= Q(region_id__in=review_region_ids(user))
        items = items.filter(scope)
    if region_code:
        items = items.filter(region__code=region_code)
    return (
        items.select_related("base_item", "department", "current_version__department")
        .prefetch_related("current_version__materials", "current_version__steps")
        .order_by("implementation_code")
    )


def export_rows(items) -> list[list]:
    """The data rows (without the header) of `items`, in file order."""
    rows = []
    for item in items:
        version = item.current_version
        values = _item_values(item, version)
        item_cells = [_format(column, values[column.field]) for column in ITEM_COLUMNS]
        materials = sorted(version.materials.all(), key=lambda m: (m.order, m.id))
        if not materials:
            rows.append(item_cells + [""] * len(MATERIAL_COLUMNS))
        for material in materials:
            rows.append(item_cells + [_format(c, getattr(material, c.field)) for c in MATERIAL_COLUMNS])
    return rows


def _item_values(item: Item, version: ItemVersion) -> dict:
    department = version.department if version.department_id else item.department
    values = {name: getattr(version, name) for name in VERSION_FIELDS}
    steps = sorted(version.steps.all(), key=lambda s: (s.order, s.id))
    values.update(
        implementation_code=item.implementation_code,
        base_code=item.base_item.base_code,
        item_type=item.base_item.item_type,
        department=department.credit_code,
        department_name=department.name,
        steps="\n".join(
            STEP_SEPARATOR.join((s.name, s.handler, s.time_limit, s.description.replace("\n", " "))) for s in steps
        ),
    )
    return values


def _label(label) -> str:
    """A choice's label as the spreadsheets carry it: Chinese, whatever the UI language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(label)


def _format(column: Column, value):
    if column.kind == "bool":
        return "是" if value else "否"
    if column.kind == "choice":
        return _label(dict(column.choices.choices).get(value, value or ""))
    if column.kind == "multi":
        labels = dict(column.choices.choices)
        return "、".join(_label(labels.get(code, code)) for code in (value or "").split(",") if code)
    if column.kind == "int":
        return value
    return value or ""


def items_export(*, user, fmt: str, region_code: str = "") -> tuple[bytes, str, str]:
    """The user's items as (content, filename, content type); fmt is "xlsx" or "csv"."""
    rows = export_rows(items_for_export(user, region_code=region_code))
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow([_csv_safe(v) for v in row])
        return buffer.getvalue().encode("utf-8-sig"), f"items-{stamp}.csv", "text/csv; charset=utf-8"
    return _xlsx(rows), f"items-{stamp}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_safe(value):
    """Spreadsheet programs run a cell starting with = + - @ as a formula: quote it with '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "事项材料"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, even when the text starts with =
                if "\n" in cell.value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "D2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- reading a file


def read_table(content: bytes, filename: str) -> tuple[list[tuple[int, list]], list[RowError]]:
    """The data rows as (row number, cells) in HEADERS order, or errors about the file itself."""
    if len(content) > MAX_BYTES:
        return [], [RowError(0, "", f"文件超过{MAX_BYTES // 1024 // 1024}MB，请分批导入。")]
    name = (filename or "").lower()
    try:
        if name.endswith(".csv"):
            raw_rows = _csv_rows(content)
        elif name.endswith(".xlsx"):
            raw_rows = _xlsx_rows(content)
        else:
            return [], [RowError(0, "", "只能导入 .xlsx 或 .csv 文件。")]
    except UnicodeDecodeError:
        return [], [RowError(0, "", "CSV 文件的文字编码无法识别，请在表格软件中另存为“CSV UTF-8”后再导入。")]
    except Exception:  # openpyxl raises many kinds for a broken workbook
        return [], [RowError(0, "", "文件无法读取，请确认它是从表格软件保存的 .xlsx 文件。")]
    if not raw_rows:
        return [], [RowError(0, "", "文件是空的。")]
    if len(raw_rows) > MAX_ROWS + 1:  # the readers stop one row past the limit
        return [], [RowError(0, "", f"一次最多导入{MAX_ROWS}行，请分批导入。")]
    header = [str(h or "").strip() for h in raw_rows[0]]
    errors = [RowError(1, h, "表头中缺少这一列。") for h in HEADERS if h not in header]
    errors += [RowError(1, h, "不认识这一列，请使用导出的模板。") for h in header if h and h not in HEADERS]
    if errors:
        return [], errors
    positions = [header.index(h) for h in HEADERS]
    rows = []
    for number, raw in enumerate(raw_rows[1:], start=2):
        cells = [raw[p] if p < len(raw) else None for p in positions]
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        rows.append((number, cells))
    if not rows:
        return [], [RowError(0, "", "文件中没有数据行。")]
    return rows, []


def _csv_rows(content: bytes) -> list[list]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on a Chinese Windows saves “CSV (逗号分隔)” in GBK; GB 18030 is its superset.
        text = content.decode("gb18030")
    rows = []
    for row in csv.reader(io.StringIO(text)):
        if len(rows) > MAX_ROWS + 1:
            break
        rows.append([v[1:] if v.startswith("'") and v[1:].startswith(FORMULA_PREFIXES) else v for v in row])
    return rows


def _xlsx_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    # Read no further than the row limit allows: a small file can expand to millions of cells.
    rows = [list(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS)]
    book.close()
    return rows


# ---------------------------------------------------------------- parsing and checking


# Codes typed by people: normalised once (hall.validators.normalise_identifier) before any check.
IDENTIFIER_FIELDS = {"department", "implementation_code", "base_code"}


def _parse(column: Column, raw, errors: list[RowError], row: int):
    text = "" if raw is None else str(raw).strip()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    if column.field in IDENTIFIER_FIELDS:
        text = normalise_identifier(text)  # full-width or spaced codes are the same code
    if not text:
        if column.required:
            errors.append(RowError(row, column.header, "不能为空。"))
        return {"int": None, "bool": None, "multi": ""}.get(column.kind, "")
    if column.kind == "int":
        if not text.isdigit() or len(text) > 4:
            errors.append(RowError(row, column.header, f"“{text}”不是一个不小于0的整数。"))
            return None
        return int(text)
    if column.kind == "bool":
        if text in ("是", "Y", "y", "1", "TRUE", "True", "true"):
            return True
        if text in ("否", "N", "n", "0", "FALSE", "False", "false"):
            return False
        errors.append(RowError(row, column.header, f"请填“是”或“否”，不能填“{text}”。"))
        return None
    if column.kind == "choice":
        return _choice(column, text, errors, row)
    if column.kind == "multi":
        codes = []
        for part in text.replace("，", "、").replace(",", "、").split("、"):
            code = _choice(column, part.strip(), errors, row)
            if code and code not in codes:
                codes.append(code)
        return ",".join(codes)
    if column.kind == "steps":
        return _steps(text, errors, row, column.header)
    return text


def _choice(column: Column, text: str, errors: list[RowError], row: int) -> str:
    by_label = {_label(label): value for value, label in column.choices.choices}
    if text in by_label:
        return by_label[text]
    if text in column.choices.values:
        return text
    allowed = "、".join(str(label) for label in by_label)
    errors.append(RowError(row, column.header, f"“{text}”不是可选的值，请填写：{allowed}。"))
    return ""


def _steps(text: str, errors: list[RowError], row: int, header: str) -> list[tuple]:
    steps = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("|", STEP_SEPARATOR).split(STEP_SEPARATOR, 3)]
        parts += [""] * (4 - len(parts))
        if not parts[0] or len(parts[0]) > 40:
            errors.append(RowError(row, header, f"环节“{line.strip()}”缺少名称或名称超过40字。"))
            continue
        steps.append(tuple(parts))
    return steps


def parse_rows(rows: list[tuple[int, list]]) -> tuple[dict[str, ItemRows], list[RowError]]:
    """Group rows by implementation code; each item's columns must agree across its rows."""
    errors: list[RowError] = []
    groups: dict[str, ItemRows] = {}
    for number, cells in rows:
        by_column = dict(zip(COLUMNS, cells, strict=True))
        values = {c.field: _parse(c, by_column[c], errors, number) for c in ITEM_COLUMNS}
        code = (values["implementation_code"] or "").upper()
        values["implementation_code"] = code
        if not code:
            continue
        group = groups.get(code)
        if group is None:
            group = groups[code] = ItemRows(first_row=number, values=values)
        else:
            differing = [c for c in ITEM_COLUMNS if values[c.field] != group.values[c.field]]
            for column in differing:
                errors.append(
                    RowError(
                        number, column.header, f"同一事项（{code}）的各行内容应一致，与第{group.first_row}行不同。"
                    )
                )
            if differing:
                group.differing.append((number, values))
        group.rows.append(number)
        material_cells = [by_column[c] for c in MATERIAL_COLUMNS]
        if any(c is not None and str(c).strip() for c in material_cells):
            material = {c.field: _parse(c, by_column[c], errors, number) for c in MATERIAL_COLUMNS}
            material["row"] = number
            group.materials.append(material)
    return groups, errors


def check_items(*, user, groups: dict[str, ItemRows], system_admin: bool) -> list[RowError]:
    """Every rule of the catalogue, checked before anything is written (a fixed number of queries)."""
    errors: list[RowError] = []
    credit_codes = {v["department"] for g in groups.values() for _, v in _row_values(g) if v["department"]}
    departments = {d.credit_code: d for d in Department.objects.filter(credit_code__in=credit_codes)}
    items = {
        i.implementation_code: i
        for i in Item.objects.filter(implementation_code__in=groups).select_related("base_item")
    }
    base_codes = set(
        BaseItem.objects.filter(base_code__in={g.values["base_code"] for g in groups.values()}).values_list(
            "base_code", flat=True
        )
    )
    editable = editable_department_ids(user)
    for code, group in groups.items():
        for row, values in _row_values(group):
            errors.extend(
                _check_values(values, row, departments=departments, editable=editable, system_admin=system_admin)
            )
        row, values = group.first_row, group.values

        def add(header: str, message: str, at: int = row) -> None:
            errors.append(RowError(at, header, message))

        group.department = departments.get(values["department"])
        group.item = items.get(code)
        department = group.department
        if group.item and values["base_code"] and group.item.base_item.base_code != values["base_code"]:
            add("基本编码", f"实施编码{code}已对应基本编码{group.item.base_item.base_code}，不能改为另一个基本编码。")
        if values["base_code"] and values["base_code"] not in base_codes and not system_admin:
            add("基本编码", "基本目录中没有这个编码；新的基本目录事项请由系统管理员导入。")
        if group.item and department and group.item.department_id != department.pk:
            add("实施主体统一社会信用代码", "导入不能改变事项的实施主体；下放或划转请在事项编辑中办理。")
        for material in group.materials:
            _check_material(material, add)
    return errors


def _row_values(group: ItemRows) -> list[tuple[int, dict]]:
    return [(group.first_row, group.values), *group.differing]


def _check_values(values: dict, row: int, *, departments: dict, editable: set, system_admin: bool) -> list[RowError]:
    """The checks of an item's own columns, as written on one row."""
    errors: list[RowError] = []

    def add(header: str, message: str) -> None:
        errors.append(RowError(row, header, message))

    for header, validator, value in (
        ("实施编码", validate_implementation_code, values["implementation_code"]),
        ("基本编码", validate_base_code, values["base_code"]),
    ):
        if value:
            try:
                validator(value)
            except ValidationError as error:
                add(header, error.messages[0])
    department = departments.get(values["department"])
    if values["department"] and department is None:
        add("实施主体统一社会信用代码", f"找不到统一社会信用代码为“{values['department']}”的部门。")
    elif department is not None and not system_admin and department.pk not in editable:
        add("实施主体统一社会信用代码", f"“{department.name}”不是您管理的部门，不能导入它的事项。")
    _check_limits(values, add)
    if len(values["name"] or "") > 200:
        add("事项名称", "事项名称不能超过200字。")
    return errors


def _check_limits(values: dict, add) -> None:
    statutory, promised = values["statutory_days"], values["promised_days"]
    if statutory is not None and promised is not None and promised > statutory:
        add("承诺办结时限", f"承诺办结时限（{promised}）不得超过法定办结时限（{statutory}）。")
    if values["case_kind"] == CaseKind.INSTANT and promised:
        add("承诺办结时限", "即办件当场办结，承诺办结时限应为0。")
    if values["charges_fee"] and not values["fee_basis"]:
        add("收费依据", "收费的事项请写明收费依据。")
    if values["online_application"] and not {HandlingForm.ONLINE_PC, HandlingForm.MOBILE} & set(
        (values["handling_forms"] or "").split(",")
    ):
        add("办理形式", "可在线申请的事项，办理形式应包含网上办理或掌上办理。")


def _check_material(material: dict, add) -> None:
    row = material["row"]
    if not material["name"]:
        add("材料名称", "材料名称不能为空。", row)
    elif is_catch_all_material_name(material["name"]):
        add("材料名称", f"“{material['name']}”是兜底表述，请写出具体材料的名称。", row)
    elif len(material["name"]) > 200:
        add("材料名称", "材料名称不能超过200字。", row)
    if not material["basis"]:
        add("要求提供材料的依据", "请写明要求提供该材料的法律、法规或规章条款。", row)
    for name in ("material_type", "material_form", "source_channel"):
        if not material[name]:
            header = next(c.header for c in MATERIAL_COLUMNS if c.field == name)
            add(header, "不能为空。", row)


# ---------------------------------------------------------------- import


def is_system_admin(user) -> bool:
    return StaffAssignment.objects.filter(user=user, role=StaffRole.SYSTEM_ADMIN).exists()


def items_import(
    *,
    user,
    content: bytes,
    filename: str,
    cause: str,
    cause_note: str,
    cause_date: datetime.date | None = None,
    publish: bool = False,
) -> ImportResult:
    """Import an item list (see the module docstring). Nothing is written unless every row passes."""
    system_admin = is_system_admin(user)
    if publish and not system_admin:
        raise PermissionDenied("只有系统管理员可以直接发布（初始载入）；目录管理员导入的内容须经审核后发布。")
    if not system_admin and not editable_department_ids(user):
        raise PermissionDenied("您没有可管理的部门，不能导入事项。")
    result = ImportResult(published=publish)
    rows, result.errors = read_table(content, filename)
    if result.errors:
        return result
    groups, result.errors = parse_rows(rows)
    result.errors += check_items(user=user, groups=groups, system_admin=system_admin)
    if result.errors:
        result.errors.sort(key=lambda e: (e.row, HEADERS.index(e.column) if e.column in HEADERS else 0))
        return result
    try:
        with transaction.atomic():
            for group in groups.values():
                _import_item(
                    user=user,
                    group=group,
                    result=result,
                    publish=publish,
                    change=dict(cause=cause, cause_note=cause_note, cause_date=cause_date or timezone.localdate()),
                )
    except ImportRefused as refused:
        return ImportResult(errors=refused.errors, published=publish)
    if publish and (result.created or result.changed):
        transaction.on_commit(catalogue_cache_clear)
    return result


def _import_item(*, user, group: ItemRows, result: ImportResult, publish: bool, change: dict) -> None:
    values, item = group.values, group.item
    code = values["implementation_code"]
    if item and item.current_version_id and _unchanged(item, group):
        result.unchanged.append(code)
        return
    base_item = _base_item(values)
    try:
        if publish:
            version, item_change = _publish_version(
                user=user, item=item, group=group, base_item=base_item, change=change
            )
        else:
            kind = ChangeKind.CHANGE if item and item.current_version_id else ChangeKind.ADD
            if item and not item.current_version_id:
                raise ValidationError({"item": "该事项已存在但尚未发布，请在事项编辑中完成它的调整。"})
            item_change = change_create(
                user=user,
                kind=kind,
                item=item,
                base_item=base_item,
                implementation_code=code,
                department=group.department,
                **change,
            )
            version = item_change.version
        _fill_version(version, group)
        problems = version_problems(version)
        if problems:
            raise ValidationError(problems)
        if publish:
            _finish_publish(user, item_change, version)
    except (ValidationError, PermissionDenied) as error:
        raise ImportRefused([RowError(group.first_row, "", f"事项{code}：{msg}") for msg in _messages(error)]) from None
    (result.changed if item and item.current_version_id else result.created).append(code)
    result.change_ids[code] = item_change.pk


def _messages(error) -> list[str]:
    if isinstance(error, PermissionDenied):
        return [str(error)]
    if hasattr(error, "message_dict"):
        return [m for messages in error.message_dict.values() for m in messages]
    return list(error.messages)


def _base_item(values: dict) -> BaseItem:
    base_item, _ = BaseItem.objects.get_or_create(
        base_code=values["base_code"],
        defaults={"name": values["name"], "item_type": values["item_type"], "legal_basis": values["legal_basis"]},
    )
    return base_item


def _unchanged(item: Item, group: ItemRows) -> bool:
    version = (
        ItemVersion.objects.filter(pk=item.current_version_id)
        .select_related("department")
        .prefetch_related("materials", "steps")
        .get()
    )
    item.current_version = version
    exported = export_rows([item])
    imported = [_group_row(group, m) for m in group.materials] or [_group_row(group, None)]
    normalise = lambda rows: [[_comparable(v) for v in row] for row in rows]  # noqa: E731
    return normalise(exported) == normalise(imported)


def _group_row(group: ItemRows, material: dict | None) -> list:
    values = {**group.values, "department_name": group.department.name if group.department else ""}
    values["steps"] = "\n".join(STEP_SEPARATOR.join(step) for step in values["steps"])
    cells = [_format(c, values[c.field]) for c in ITEM_COLUMNS]
    if material is None:
        return cells + [""] * len(MATERIAL_COLUMNS)
    return cells + [_format(c, material[c.field]) for c in MATERIAL_COLUMNS]


def _comparable(value) -> str:
    return "" if value is None else str(value).strip()


def _publish_version(*, user, item: Item | None, group: ItemRows, base_item: BaseItem, change: dict):
    """The initial load of a system admin: a draft created here, published by `_finish_publish`."""
    from .services import version_copy

    if item is None:
        item = Item(
            implementation_code=group.values["implementation_code"],
            base_item=base_item,
            department=group.department,
            region=group.department.region,
        )
        item.full_clean(exclude=["current_version"])
        item.save()
        kind = ChangeKind.ADD
        version = ItemVersion(item=item, number=1, department=group.department, statutory_days=0, promised_days=0)
        version.save()
    else:
        if item.versions.filter(
            state__in=(VersionState.DRAFT, VersionState.LEGAL_REVIEW, VersionState.CATALOGUE_REVIEW)
        ).exists():
            raise ValidationError({"item": "该事项已有一个正在办理的调整，请先完成或撤销它。"})
        kind = ChangeKind.CHANGE if item.current_version_id else ChangeKind.ADD
        if item.current_version_id:
            version = version_copy(source=item.current_version)
        else:
            number = (item.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
            version = ItemVersion.objects.create(
                item=item, number=number, department=group.department, statutory_days=0, promised_days=0
            )
    item_change = ItemChange.objects.create(item=item, version=version, kind=kind, filed_by=user, **change)
    ChangeEvent.objects.create(
        change=item_change,
        actor=user,
        action=ChangeAction.FILED,
        from_state=VersionState.DRAFT,
        to_state=VersionState.DRAFT,
        note="批量导入（初始载入）",
    )
    return version, item_change


def _fill_version(version: ItemVersion, group: ItemRows) -> None:
    """Write the file's values over the draft: its elements, steps and materials."""
    values = group.values
    for name in VERSION_FIELDS:
        setattr(version, name, values[name])
    version.department = group.department
    version.full_clean(exclude=["item"])
    version.save()
    ProcessStep.objects.filter(version=version).delete()
    ProcessStep.objects.bulk_create(
        ProcessStep(version=version, order=order, name=name, handler=handler, time_limit=limit, description=text)
        for order, (name, handler, limit, text) in enumerate(values["steps"], start=1)
    )
    kept = {m.name: m for m in Material.objects.filter(version=version)}
    Material.objects.filter(version=version).delete()
    materials = []
    for order, row in enumerate(group.materials, start=1):
        material = Material(version=version, order=order, **{k: row[k] for k in MATERIAL_FIELDS})
        previous = kept.get(row["name"])
        if previous is not None:  # a material kept by name keeps its blank form and sample
            material.blank_form, material.sample = previous.blank_form, previous.sample
        material.full_clean(exclude=["version"])
        materials.append(material)
    Material.objects.bulk_create(materials)
    own_halls = list(Hall.objects.filter(region=version.item.region))
    if not version.receivable_halls.exists():
        halls = own_halls if version.cross_area_scope == CrossAreaScope.NONE else list(Hall.objects.all())
        version.receivable_halls.set(halls)
    elif version.cross_area_scope == CrossAreaScope.NONE:
        version.receivable_halls.set(own_halls)


def _finish_publish(user, item_change: ItemChange, version: ItemVersion) -> None:
    now = timezone.now()
    item = version.item
    fill_search_fields(version)
    version.state, version.published_at = VersionState.PUBLISHED, now
    version.save(update_fields=["state", "published_at", "pinyin_initials", "search_text"])
    if item.current_version_id:
        ItemVersion.objects.filter(pk=item.current_version_id).update(state=VersionState.SUPERSEDED, superseded_at=now)
    item.current_version = version
    item.cancelled_on = None
    item.save(update_fields=["current_version", "cancelled_on"])
    item_change.submitted_by = item_change.catalogue_reviewer = user
    item_change.submitted_at = item_change.catalogue_reviewed_at = item_change.published_at = now
    item_change.save()
    ChangeEvent.objects.create(
        change=item_change,
        actor=user,
        action=ChangeAction.CATALOGUE_APPROVED,
        from_state=VersionState.DRAFT,
        to_state=VersionState.PUBLISHED,
        note="系统管理员初始载入，直接发布",
    )
