"""Browser journeys of the catalogue: a citizen finds an item by pinyin initials, opens
its guide and downloads the blank form and the PDF guide; a catalogue admin changes a promised
limit, which is published only after the legal review and the catalogue review by two others."""

import datetime

import pytest
from django.core.files.base import ContentFile

from items.cache import cache
from items.demo_reviewers import seed_catalogue_reviewers
from items.models import ItemVersion
from tests.items.factories import ItemVersionFactory, MaterialFactory

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def licence(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    ItemVersionFactory(name="食品经营许可证核发", keywords="餐饮")
    version = ItemVersionFactory(
        name="个体工商户设立登记", keywords="营业执照 开店", statutory_days=15, promised_days=3, materials=0
    )
    form = MaterialFactory(version=version, name="个体工商户登记（备案）申请书")
    form.blank_form.save("application.pdf", ContentFile(b"%PDF-1.4\n% blank form\n"), save=True)
    MaterialFactory(version=version, name="经营场所使用证明", deferrable=True)
    return version


def test_citizen_finds_an_item_by_pinyin_initials_and_downloads_its_forms(page, shot, licence):
    page.goto("/")
    page.fill("#home-q", "yyzz")
    page.click("#home-search button[type=submit]")
    page.wait_for_selector("#result-count")
    assert "共找到 1 个事项" in page.locator("#result-count").inner_text()
    assert "食品经营许可证核发" not in page.content()
    shot(page, "catalogue-search-yyzz")

    page.click("text=个体工商户设立登记")
    page.wait_for_selector("#guide-title")
    assert page.locator("#guide-title").inner_text() == "个体工商户设立登记"
    assert page.locator(".flow-step").count() == 4
    assert "可容缺" in page.locator("#materials").inner_text()
    assert page.locator(".guide-qr img").get_attribute("src").startswith("data:image/svg+xml")
    shot(page, "catalogue-guide")

    with page.expect_download() as download:
        page.click(".blank-form-link")
    assert download.value.path().read_bytes().startswith(b"%PDF-1.4\n% blank form")
    assert "申请书" in download.value.suggested_filename

    with page.expect_download() as download:
        page.click("#guide-pdf")
    content = download.value.path().read_bytes()
    assert content.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages).replace("\n", "")
    assert "个体工商户设立登记办事指南" in text and "经营场所使用证明" in text


def _logout(page):
    page.click("nav form button:has-text('退出')")
    page.wait_for_load_state("networkidle")


def test_admin_changes_a_promised_limit_published_only_after_both_reviews(page, shot, licence, cast):
    seed_catalogue_reviewers()  # jc_catalogue_review: the demo's third person
    city_admin = "yj_catalogue"
    guide_url = f"/items/{licence.item_id}/"

    def public_promised() -> str:
        page.goto(guide_url)
        return page.locator("#fact-promised").inner_text()

    assert public_promised().startswith("3")

    # The 江城 catalogue admin files a change and edits the promised limit.
    login(page, "jc_catalogue", cast.password)
    page.wait_for_selector("[data-workbench=catalogue_admin]")
    page.fill("#manage-q", "个体")
    page.click("form[role=search] button")
    page.wait_for_url("**q=**")
    page.click("#my-items a:has-text('管理')")
    page.wait_for_load_state("networkidle")
    shot(page, "catalogue-item-manage")
    page.wait_for_selector("#change-form")
    shot(page, "catalogue-item-manage")
    page.select_option("#id_kind", "change")
    page.select_option("#id_cause", "reform")
    page.fill("#id_cause_note", "压缩承诺时限（市政务服务数据管理局通知）")
    page.fill("#id_cause_date", (datetime.date.today() - datetime.timedelta(days=2)).isoformat())
    page.click("#change-form button[type=submit]")
    page.wait_for_selector("#version-form")

    page.fill("#id_promised_days", "20")  # above the statutory 15: refused next to the field
    page.click("#save-and-submit")
    error = page.locator("#id_promised_days ~ .invalid-feedback, #error_1_id_promised_days").first
    assert "不得超过法定办结时限" in error.inner_text()
    shot(page, "catalogue-edit-error")

    page.fill("#id_promised_days", "1")
    page.click("#save-and-submit")
    page.wait_for_selector("#change-state")
    assert page.locator("#change-state").inner_text() == "合法性审查"
    assert page.locator("#deadlines").count() == 1
    # The drafter has nothing more to do here.
    assert page.locator("#approve").count() == 0
    _logout(page)
    assert public_promised().startswith("3")

    # Legal review by the city's catalogue admin.
    login(page, city_admin, cast.password)
    page.wait_for_selector("[data-workbench=catalogue_admin]")
    page.click("#open-changes a.btn:has-text('合法性审查')")
    page.fill("#id_note", "依据充分")
    page.click("#approve")
    page.wait_for_selector("#change-state")
    assert page.locator("#change-state").inner_text() == "目录审核"
    assert page.locator("#approve").count() == 0  # the legal reviewer cannot also do the catalogue review
    _logout(page)
    assert public_promised().startswith("3")

    # Catalogue review by a third person publishes.
    login(page, "jc_catalogue_review", cast.password)
    page.goto("/items/manage/")
    page.click("#open-changes a.btn:has-text('目录审核')")
    shot(page, "catalogue-review")
    page.click("#approve")
    page.wait_for_selector("#change-state")
    assert page.locator("#change-state").inner_text() == "已发布"
    events = page.locator("#change-events").inner_text()
    assert "江城区事项目录管理员" in events and "阳江市事项目录管理员" in events and "江城区目录审核员" in events
    assert public_promised().startswith("1")
    shot(page, "catalogue-guide-published")

    versions = list(
        ItemVersion.objects.filter(item=licence.item).order_by("number").values_list("state", "promised_days")
    )
    assert versions == [("superseded", 3), ("published", 1)]
