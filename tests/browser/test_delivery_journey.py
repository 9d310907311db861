"""Browser journey of a result (DOMAIN.md §3 steps 4-5): a citizen applies choosing pickup at
阳江市政务服务中心; the case is granted; the back office produces the licence and hands it to that hall's
result window, which signs for it; the citizen is told where to come; the clerk checks identity and
records the signature; the proof of delivery prints; the case is archived and its package verifies. A
second application of the same holder that needs the licence gets it attached without an upload."""

import shutil
import subprocess

import pytest
from django.core.cache import cache
from django.core.management import call_command

from cases import services
from cases.models import Case
from hall.models import Notice
from hall.notices import notice_deliver
from tests.cases.factories import PDF_BYTES
from tests.items.factories import ItemVersionFactory, MaterialFactory

from .conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LICENCE = "个体工商户营业执照"


@pytest.fixture
def items(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    shop = ItemVersionFactory(name="个体工商户设立登记", result_name=LICENCE, materials=0)
    MaterialFactory(version=shop, order=1, name="个体工商户登记（备案）申请书")
    food = ItemVersionFactory(name="食品经营许可", result_name="食品经营许可证", materials=0)
    MaterialFactory(version=food, order=1, name="食品经营许可申请书")
    MaterialFactory(version=food, order=2, name=LICENCE)
    return shop, food


def _logout(page):
    page.click("nav form button:has-text('退出')")
    page.wait_for_load_state("networkidle")


def _pdf_text(download) -> str:
    path = download.path()
    assert path.read_bytes().startswith(b"%PDF")
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    text = result.stdout.decode("utf-8").replace(" ", "").replace("\n", "")
    (ARTIFACTS / "delivery-proof.txt").write_text(text)
    shutil.copy(path, ARTIFACTS / "delivery-proof.pdf")
    return text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_apply_grant_hand_over_pickup_archive_and_reuse(page, shot, items, cast):
    shop, food = items
    yj = cast.halls["YJ"]

    # 1. The citizen applies online and chooses pickup at the city hall.
    login(page, cast.citizen.mobile, cast.password)
    page.goto(f"/cases/apply/{shop.item_id}/")
    page.wait_for_selector("[data-page=apply]")
    page.fill("textarea[name=description]", "在江城区开设一家小吃店")
    material = shop.materials.get()
    page.set_input_files(
        f"input[name=material_{material.pk}]",
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES},
    )
    page.check("input[name=delivery_method][value=pickup]")
    page.select_option("select[name=delivery_hall]", str(yj.pk))
    shot(page, "delivery-01-apply-choice")
    page.click("button[value=submit]")
    page.wait_for_selector("[data-page=detail]")
    case = Case.objects.get()
    assert case.delivery_method == "pickup" and case.delivery_hall == yj
    assert "阳江市政务服务中心" in page.locator("[data-delivery-choice-shown]").inner_text()
    _logout(page)

    # 2. Accepted and granted (their own journeys test those pages).
    services.case_accept(case=case, actor=cast.clerk)
    services.case_grant(case=case, actor=cast.approver, opinion="符合条件")

    # 3. The back office produces the licence and hands it over to the city hall's result window.
    login(page, "jc_approver", cast.password)
    page.goto("/results/production/")
    page.wait_for_selector("[data-page=production]")
    page.fill(f"[data-produce={case.number}] textarea[name=scope]", "小吃店（餐饮服务）")
    page.click(f"[data-produce={case.number}] button[type=submit]")
    page.wait_for_selector("[data-form=handover]")
    page.check("input[name=orders]")
    page.fill("input[name=signature]", cast.approver.real_name)
    shot(page, "delivery-02-handover")
    page.click("[data-form=handover] button[type=submit]")
    page.wait_for_selector(".alert-success")
    _logout(page)

    # 4. The city hall's result window counts the batch in and signs.
    login(page, "yj_result", cast.password)
    page.wait_for_selector("[data-workbench=result_clerk]")
    page.click("[data-tab=receive]")
    page.fill("input[name=count]", "1")
    page.fill("input[name=signature]", "阳江市出件窗口人员")
    shot(page, "delivery-03-receive")
    page.click("[data-handover] button[type=submit]")
    page.wait_for_selector(f"[data-order={case.number}]")
    shot(page, "delivery-04-to-collect")
    _logout(page)

    # 5. The citizen is told where to come (the worker sends the notice; here it is sent in process).
    for notice in Notice.objects.filter(recipient=cast.citizen, kind="result_ready"):
        notice_deliver(notice_id=notice.pk)
    login(page, cast.citizen.mobile, cast.password)
    page.goto("/inbox/")
    assert "请到阳江市政务服务中心 6号窗口领取" in page.content()
    shot(page, "delivery-05-citizen-notice")
    _logout(page)

    # 6. At the window: a pickup without the identity check is refused; then checked and signed.
    login(page, "yj_result", cast.password)
    page.click(f"[data-order={case.number}] a")
    page.wait_for_selector("[data-page=order]")
    page.fill("input[name=recipient_name]", "张三")
    page.fill("input[name=recipient_id_number]", cast.citizen.id_number)
    page.fill("input[name=signature]", "张三")
    page.check("input[name=signature_confirmed]")
    page.click("[data-form=pickup] button[type=submit]")
    assert "请先当面核验领取人的身份证件" in page.content()
    shot(page, "delivery-06-pickup-refused")
    page.check("input[name=identity_checked]")
    page.fill("input[name=signature]", "张三")
    page.check("input[name=signature_confirmed]")
    page.click("[data-form=pickup] button[type=submit]")
    page.wait_for_selector("[data-proof]")
    shot(page, "delivery-07-delivered")
    with page.expect_download() as download:
        page.click("[data-download=delivery_proof]")
    text = _pdf_text(download.value)
    assert "送达回证" in text and case.number in text and "张三" in text and "阳江市政务服务中心" in text

    # 7. The window archives the case; the package verifies (page and command).
    page.click("[data-action=archive]")
    page.wait_for_selector("[data-package]")
    case.refresh_from_db()
    assert case.state == "archived"
    page.click("[data-package] a:has-text('校验')")
    page.wait_for_selector("[data-verify=ok]")
    shot(page, "delivery-08-package-verified")
    call_command("archive_verify", case.number)
    _logout(page)

    # 8. A second application that needs the licence: attached from the library, nothing to upload.
    login(page, cast.citizen.mobile, cast.password)
    page.goto(f"/cases/apply/{food.item_id}/")
    page.wait_for_selector("[data-held-certificates]")
    licence_material = food.materials.get(name=LICENCE)
    assert page.locator(f"input[name=material_{licence_material.pk}]").count() == 0
    shot(page, "delivery-09-reuse")
    page.fill("textarea[name=description]", "小吃店申请食品经营许可")
    first = food.materials.get(order=1)
    page.set_input_files(
        f"input[name=material_{first.pk}]", {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.click("button[value=submit]")
    page.wait_for_selector("[data-page=detail]")
    second = Case.objects.exclude(pk=case.pk).get()
    assert second.state == "submitted"
    held = second.materials.get(material=licence_material)
    assert held.certificate_number == case.certificates.get().number and held.uploaded_by == cast.citizen
    page.goto("/workbench/")
    assert case.number in page.locator("[data-section=finished]").inner_text()
    shot(page, "delivery-10-finished")
