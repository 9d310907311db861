"""Import and export of the item list (demand 9): XLSX and CSV, one row per material; a bad row
is reported by row number and column and nothing is imported; an export re-imports to the same
catalogue; catalogue admins' imports become draft changes, a system admin's initial load publishes."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from items.constants import VersionState
from items.io import HEADERS, export_rows, items_export, items_for_export, items_import
from items.models import Item, ItemChange, ItemVersion, Material, ProcessStep

from .factories import ItemFactory, ItemVersionFactory

CHANGE = {"cause": "standardisation", "cause_note": "按全市标准化梳理结果统一", "cause_date": datetime.date.today()}


@pytest.fixture
def catalogue(cast):
    """Two published items of 江城区市场监管 (two materials each) and one of 阳东区."""
    food = ItemVersionFactory(name="食品经营许可", statutory_days=10, promised_days=5, keywords="餐饮")
    shop = ItemVersionFactory(name="个体工商户设立登记", statutory_days=3, promised_days=1)
    other = ItemVersionFactory(item=ItemFactory(department=cast.market_yd, region=cast.market_yd.region))
    return food.item, shop.item, other.item


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _csv_bytes(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _col(name: str) -> int:
    return HEADERS.index(name)


def _import(user, rows, **kwargs):
    return items_import(user=user, content=_csv_bytes(rows), filename="items.csv", **{**CHANGE, **kwargs})


def _counts():
    return (
        Item.objects.count(),
        ItemVersion.objects.count(),
        Material.objects.count(),
        ItemChange.objects.count(),
    )


def test_xlsx_export_has_one_row_per_material_scoped_to_the_department(cast, catalogue):
    content, filename, content_type = items_export(user=cast.catalogue_admin, fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert filename.endswith(".xlsx") and "spreadsheetml" in content_type
    assert list(rows[0]) == HEADERS
    assert len(rows) == 1 + 4  # two items of 江城区, two materials each; 阳东区's item is not there
    codes = {r[0] for r in rows[1:]}
    assert codes == {catalogue[0].implementation_code, catalogue[1].implementation_code}
    assert {r[_col("材料名称")] for r in rows[1:]} == {"申请书", "申请人身份证明"}
    assert rows[1][_col("办件类型")] == "承诺件" and rows[1][_col("是否网办")] == "是"
    assert items_for_export(cast.admin).count() == 3


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_unchanged_export_reimports_without_any_change(cast, catalogue, fmt):
    content, filename, _ = items_export(user=cast.catalogue_admin, fmt=fmt)
    before = _counts()
    result = items_import(user=cast.catalogue_admin, content=content, filename=filename, **CHANGE)
    assert result.ok, result.errors
    assert sorted(result.unchanged) == sorted(i.implementation_code for i in catalogue[:2])
    assert result.created == result.changed == []
    assert _counts() == before


def test_catalogue_admin_import_files_draft_changes_for_review(cast, catalogue):
    food = catalogue[0]
    rows = _csv_rows(items_export(user=cast.catalogue_admin, fmt="csv")[0])
    for row in rows[1:]:
        if row[0] == food.implementation_code:
            row[_col("承诺办结时限")] = "3"
    published = food.current_version

    result = _import(cast.catalogue_admin, rows)

    assert result.ok, result.errors
    assert result.changed == [food.implementation_code] and len(result.unchanged) == 1
    change = ItemChange.objects.get(item=food)
    assert change.version.state == VersionState.DRAFT and change.version.promised_days == 3
    assert change.kind == "change" and change.cause == "standardisation"
    assert change.version.materials.count() == 2 and change.version.steps.count() == 4
    food.refresh_from_db()
    assert food.current_version == published and published.promised_days == 5  # published until reviewed


def test_new_item_row_files_an_add_change(cast, catalogue):
    rows = _csv_rows(items_export(user=cast.catalogue_admin, fmt="csv")[0])
    new = list(rows[1])
    new[0] = rows[1][0][:-4] + "9999"
    new[_col("事项名称")] = "食品经营许可（延续）"
    result = _import(cast.catalogue_admin, [rows[0], new])
    assert result.ok, result.errors
    assert result.created == [new[0]]
    item = Item.objects.get(implementation_code=new[0])
    assert item.current_version is None
    assert item.changes.get().kind == "add" and item.versions.get().materials.count() == 1


BAD_CELLS = [
    ("实施编码", "11-4417 02", "实施编码应为1到24位"),
    ("基本编码", "01.0001", "基本编码应为1到10位"),
    ("承诺办结时限", "30", "不得超过法定办结时限"),
    ("材料名称", "其他相关材料", "兜底表述"),
    ("要求提供材料的依据", "", "请写明要求提供该材料"),
    ("实施主体统一社会信用代码", "91441702MA4W000XX1", "找不到统一社会信用代码"),
    ("法定办结时限", "二十", "不是一个不小于0的整数"),
    ("办件类型", "急件", "不是可选的值"),
    ("是否网办", "可以", "请填“是”或“否”"),
]


@pytest.mark.parametrize("header,value,message", BAD_CELLS, ids=[b[0] for b in BAD_CELLS])
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_imported(cast, catalogue, header, value, message):
    rows = _csv_rows(items_export(user=cast.catalogue_admin, fmt="csv")[0])
    for row in rows[1:]:
        row[_col("承诺办结时限")] = "0" if row[_col("办件类型")] == "即办件" else "2"  # a real change to import
    target = 3  # the file's third line: the second data row
    rows[target - 1][_col(header)] = value
    before = _counts()

    result = _import(cast.catalogue_admin, rows)

    assert not result.ok
    assert _counts() == before
    assert any(e.row == target and e.column == header and message in e.message for e in result.errors), [
        str(e) for e in result.errors
    ]


def test_every_problem_is_listed_at_once(cast, catalogue):
    rows = _csv_rows(items_export(user=cast.catalogue_admin, fmt="csv")[0])
    rows[1][_col("材料名称")] = "有关材料"
    rows[4][_col("要求提供材料的依据")] = ""
    result = _import(cast.catalogue_admin, rows)
    assert [(e.row, e.column) for e in result.errors] == [(2, "材料名称"), (5, "要求提供材料的依据")]
    assert str(result.errors[0]).startswith("第2行「材料名称」：")


def test_rows_of_one_item_must_agree(cast, catalogue):
    rows = _csv_rows(items_export(user=cast.catalogue_admin, fmt="csv")[0])
    rows[2][_col("事项名称")] = "另一个名称"
    result = _import(cast.catalogue_admin, rows)
    assert [(e.row, e.column) for e in result.errors] == [(3, "事项名称")]


def test_another_departments_item_is_refused(cast, catalogue):
    rows = _csv_rows(items_export(user=cast.admin, fmt="csv")[0])
    other_code = catalogue[2].implementation_code
    errors = _import(cast.catalogue_admin, rows).errors
    assert errors and all(e.column == "实施主体统一社会信用代码" for e in errors)
    assert {rows[e.row - 1][0] for e in errors} == {other_code}


def test_only_a_system_admin_may_publish_directly(cast, catalogue):
    rows = _csv_rows(items_export(user=cast.catalogue_admin, fmt="csv")[0])
    with pytest.raises(PermissionDenied):
        _import(cast.catalogue_admin, rows, publish=True)
    with pytest.raises(PermissionDenied):
        _import(cast.clerk, rows)


def test_an_open_change_rolls_back_the_whole_import(cast, catalogue):
    food, shop, _ = catalogue
    rows = _csv_rows(items_export(user=cast.catalogue_admin, fmt="csv")[0])
    for row in rows[1:]:
        row[_col("承诺办结时限")] = "0"
    first = _import(cast.catalogue_admin, [r for r in rows if r[0] in (HEADERS[0], shop.implementation_code)])
    assert first.ok and first.changed == [shop.implementation_code]
    before = _counts()
    result = _import(cast.catalogue_admin, rows)  # food is new work, shop already has an open change
    assert not result.ok and "正在办理的调整" in result.errors[0].message
    assert _counts() == before


@pytest.mark.parametrize(
    "content,filename,message",
    [
        (b"not a workbook", "items.xlsx", "文件无法读取"),
        (b"a,b\n1,2\n", "items.csv", "表头中缺少这一列"),
        (b"\xff\xfe\x00bad", "items.csv", "文字编码无法识别"),
        (b"x", "items.pdf", "只能导入"),
        ("\ufeff" + ",".join(HEADERS) + "\n", "items.csv", "没有数据行"),
    ],
)
def test_a_bad_file_gets_a_plain_message(cast, catalogue, content, filename, message):
    content = content.encode("utf-8") if isinstance(content, str) else content
    result = items_import(user=cast.catalogue_admin, content=content, filename=filename, **CHANGE)
    assert not result.ok and message in str(result.errors[0])


def test_formula_like_text_stays_text(cast, catalogue):
    Material.objects.filter(version=catalogue[0].current_version).update(filling_notes="=HYPERLINK(1)")
    content = items_export(user=cast.catalogue_admin, fmt="csv")[0]
    assert "'=HYPERLINK(1)" in content.decode("utf-8-sig")
    result = items_import(user=cast.catalogue_admin, content=content, filename="x.csv", **CHANGE)
    assert result.ok and result.created == result.changed == []
    xlsx = items_export(user=cast.catalogue_admin, fmt="xlsx")[0]
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows() for c in row]
    assert any(c.value == "=HYPERLINK(1)" and c.data_type == "s" for c in cells)


def _wipe(items):
    for item in items:
        Item.objects.filter(pk=item.pk).update(current_version=None)
        ItemChange.objects.filter(item=item).delete()
        for version in item.versions.all():
            Material.objects.filter(version=version).delete()
            ProcessStep.objects.filter(version=version).delete()
            version.delete()
        item.delete()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_of_the_demo_catalogue(cast, settings, tmp_path, fmt):
    """Export the whole seeded catalogue, remove it, import the file as a system admin's initial
    load: the catalogue exports to the same rows again."""
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_catalogue")
    content, filename, _ = items_export(user=cast.admin, fmt=fmt)
    first = export_rows(items_for_export(cast.admin))
    _wipe(list(Item.objects.all()))
    assert not Item.objects.exists()

    result = items_import(user=cast.admin, content=content, filename=filename, publish=True, **CHANGE)

    assert result.ok, [str(e) for e in result.errors[:5]]
    assert len(result.created) == len({row[0] for row in first}) >= 120
    assert export_rows(items_for_export(cast.admin)) == first
    version = Item.objects.get(region__code="441702", base_item__name="食品经营许可").current_version
    assert version.state == VersionState.PUBLISHED and version.search_text
    assert version.change.events.count() == 2  # filed, then published by the initial load


def test_io_page_access(client, cast, catalogue):
    url = reverse("items:io")
    assert client.get(url).status_code == 302
    client.force_login(cast.clerk)
    assert client.get(url).status_code == 404
    assert client.get(reverse("items:io_export", args=["csv"])).status_code == 404
    client.force_login(cast.catalogue_admin)
    response = client.get(url)
    assert response.status_code == 200 and "publish" not in response.context["form"].fields
    client.force_login(cast.admin)
    assert "publish" in client.get(url).context["form"].fields


def test_export_download(client, cast, catalogue):
    client.force_login(cast.catalogue_admin)
    response = client.get(reverse("items:io_export", args=["csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert _csv_rows(response.content)[0] == HEADERS
    assert client.get(reverse("items:io_export", args=["pdf"])).status_code == 404


def test_upload_with_a_bad_row_shows_the_rows_and_changes_nothing(client, cast, catalogue):
    rows = _csv_rows(items_export(user=cast.catalogue_admin, fmt="csv")[0])
    rows[2][_col("材料名称")] = "其他"
    client.force_login(cast.catalogue_admin)
    before = _counts()
    upload = io.BytesIO(_csv_bytes(rows))
    upload.name = "items.csv"
    data = {"file": upload, "cause": "standardisation", "cause_note": "统一标准", "cause_date": "2026-01-05"}

    response = client.post(reverse("items:io_import"), data)

    assert response.status_code == 302 and response["Location"] == reverse("items:io")
    page = client.get(reverse("items:io")).content.decode()
    assert "没有导入任何内容" in page and "兜底表述" in page and "<td>3</td>" in page
    assert _counts() == before


def test_upload_form_errors_sit_next_to_the_field(client, cast, catalogue):
    client.force_login(cast.catalogue_admin)
    response = client.post(reverse("items:io_import"), {"cause": "standardisation", "cause_note": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"file", "cause_note"}


def test_the_sample_files_in_fixtures(cast, settings, tmp_path):
    """fixtures/catalogue/import-sample-*: 江城区市场监管's demo items import with no change;
    the bad-rows sample lists each bad row and imports nothing."""
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_catalogue")
    folder = settings.BASE_DIR / "fixtures" / "catalogue"
    for name in ("import-sample-jc-market.xlsx", "import-sample-jc-market.csv"):
        result = items_import(user=cast.catalogue_admin, content=(folder / name).read_bytes(), filename=name, **CHANGE)
        assert result.ok and result.created == result.changed == [] and len(result.unchanged) == 8, name
    before = _counts()
    bad = (folder / "import-sample-bad-rows.csv").read_bytes()
    result = items_import(user=cast.catalogue_admin, content=bad, filename="bad.csv", **CHANGE)
    assert {(e.row, e.column) for e in result.errors} >= {
        (3, "材料名称"),
        (4, "要求提供材料的依据"),
        (5, "承诺办结时限"),
        (6, "实施编码"),
        (7, "实施主体统一社会信用代码"),
    }
    assert _counts() == before


def test_too_many_rows_are_refused_without_reading_on(cast, catalogue, monkeypatch):
    monkeypatch.setattr("items.io.MAX_ROWS", 3)
    rows = _csv_rows(items_export(user=cast.catalogue_admin, fmt="csv")[0])
    result = _import(cast.catalogue_admin, rows)
    assert not result.ok and "一次最多导入3行" in result.errors[0].message


def test_export_runs_a_fixed_number_of_queries(cast, catalogue, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as few:
        items_export(user=cast.admin, fmt="csv")
    for _ in range(3):
        ItemVersionFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        items_export(user=cast.admin, fmt="csv")


def test_the_catalogue_office_exports_its_region_but_imports_nothing(client, cast, catalogue):
    from hall.constants import StaffRole
    from tests.factories import AssignmentFactory, StaffFactory

    office = StaffFactory()
    AssignmentFactory(user=office, role=StaffRole.CATALOGUE_ADMIN, hall=cast.halls["JC"], department=None)
    assert set(items_for_export(office)) == set(catalogue[:2])
    client.force_login(office)
    page = client.get(reverse("items:io"))
    assert page.status_code == 200 and not page.context["can_import"]
    assert client.get(reverse("items:io_export", args=["csv"])).status_code == 200
    with pytest.raises(PermissionDenied):
        _import(office, _csv_rows(items_export(user=office, fmt="csv")[0]))


def test_a_csv_saved_by_chinese_excel_in_gbk_is_read(cast, catalogue):
    text = items_export(user=cast.catalogue_admin, fmt="csv")[0].decode("utf-8-sig")
    result = items_import(user=cast.catalogue_admin, content=text.encode("gbk"), filename="items.csv", **CHANGE)
    assert result.ok, result.errors
    assert len(result.unchanged) == 2
