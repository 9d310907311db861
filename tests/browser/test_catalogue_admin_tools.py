"""A catalogue admin compares the counties' implementations and round-trips the item list
through Excel: a bad row is listed by row and column and nothing is imported; the fixed file
files a draft change for review."""

import io

import openpyxl
import pytest
from django.core.management import call_command

from items.io import HEADERS
from items.models import ItemChange

from .conftest import login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_standardisation_and_excel_round_trip(page, shot, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_catalogue")
    login(page, "jc_catalogue", demo.password)

    page.goto("/items/manage/standardisation/0100010006/")
    header = page.locator("#comparison thead th", has_text="江城区")
    assert "最精简" in header.inner_text()
    assert page.locator("#comparison", has_text="食品安全管理人员培训考核合格证明").count() == 1
    shot(page, "catalogue-standardisation")

    page.goto("/items/manage/io/")
    with page.expect_download() as download_info:
        page.click("#export-xlsx")
    exported = download_info.value.path().read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = book.active
    name_col = HEADERS.index("材料名称") + 1
    promised_col = HEADERS.index("承诺办结时限") + 1
    sheet.cell(row=3, column=name_col).value = "其他材料"
    bad = tmp_path / "bad.xlsx"
    book.save(bad)

    page.set_input_files("input[name=file]", str(bad))
    page.fill("textarea[name=cause_note]", "按全市标准化比对结果调整")
    page.click("#import-form button[type=submit]")
    # The whole file is read before the answer comes (the upload check parses it): wait for the result.
    page.wait_for_selector("#import-errors tbody tr")
    errors = page.locator("#import-errors tbody tr")
    assert errors.count() == 1 and "兜底表述" in errors.first.inner_text()
    assert errors.first.locator("td").first.inner_text() == "3"
    assert ItemChange.objects.count() == 0
    shot(page, "catalogue-import-errors")

    book = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = book.active
    code = sheet.cell(row=2, column=1).value
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == code:
            sheet.cell(row=row, column=promised_col).value = 0
    good = tmp_path / "good.xlsx"
    book.save(good)
    page.set_input_files("input[name=file]", str(good))
    page.fill("textarea[name=cause_note]", "按全市标准化比对结果调整")
    page.click("#import-form button[type=submit]")
    page.locator("#import-result", has_text="变更 1 项").wait_for()
    assert "变更 1 项" in page.locator("#import-result").inner_text()
    change = ItemChange.objects.get()
    assert change.item.implementation_code == code and change.version.state == "draft"
    shot(page, "catalogue-import-done")
    page.click(f"#import-changes a:has-text('{code}')")
    assert page.url.endswith(f"/items/manage/changes/{change.pk}/")
