"""Browser journey of a case: a citizen applies online with uploads; the clerk asks for a
supplement; the citizen supplies it; the clerk accepts; the approver grants. Each notice PDF is
downloaded and its text (pdftotext) holds the case number and the Chinese title."""

import datetime
import shutil
import subprocess

import pytest
from django.core.cache import cache
from django.utils import timezone

from cases.models import Case
from tests.cases.factories import PDF_BYTES, PNG_BYTES
from tests.items.factories import ItemVersionFactory, MaterialFactory

from .conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def licence(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    version = ItemVersionFactory(name="个体工商户设立登记", statutory_days=15, promised_days=3, materials=0)
    MaterialFactory(version=version, order=1, name="个体工商户登记（备案）申请书")
    MaterialFactory(version=version, order=2, name="经营场所使用证明", deferrable=True)
    return version


def _file(name: str, content: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": content}


def _logout(page):
    page.click("nav form button:has-text('退出')")
    page.wait_for_load_state("networkidle")


def _pdf_text(download) -> str:
    path = download.path()
    assert path.read_bytes().startswith(b"%PDF")
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    text = result.stdout.decode("utf-8").replace(" ", "").replace("\n", "")
    (ARTIFACTS / f"{path.name}.txt").write_text(text)
    return text


def _download_notice(page, kind: str) -> str:
    with page.expect_download() as download:
        page.click(f"[data-download={kind}] >> nth=0")
    return _pdf_text(download.value)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_apply_supplement_accept_grant(page, shot, licence, cast):
    materials = list(licence.materials.order_by("order"))
    form_material, place_material = materials

    # 1. The citizen opens the guide, applies online and uploads both materials.
    login(page, cast.citizen.mobile, cast.password)
    page.goto(f"/items/{licence.item_id}/")
    page.click("#apply-online")
    page.wait_for_selector("[data-page=apply]")
    assert page.input_value("input[name=applicant_id_number]") == cast.citizen.id_number
    page.fill("textarea[name=description]", "在江城区开设一家小吃店")
    page.set_input_files(f"input[name=material_{form_material.pk}]", _file("申请书.pdf", PDF_BYTES, "application/pdf"))
    page.set_input_files(f"input[name=material_{place_material.pk}]", _file("租赁合同.png", PNG_BYTES, "image/png"))
    shot(page, "case-01-apply")
    page.click("button[value=submit]")
    page.wait_for_selector("[data-page=detail]")
    case = Case.objects.get()
    assert case.state == "submitted"
    assert case.number in page.locator("[data-case-number]").inner_text()
    shot(page, "case-02-submitted")
    _logout(page)

    # 2. The clerk finds it on the workbench and asks for a supplement of the place certificate.
    login(page, "jc_clerk", cast.password)
    page.wait_for_selector("[data-workbench=window_clerk]")
    shot(page, "case-03-clerk-workbench")
    page.click(f"[data-case={case.number}] a")
    page.wait_for_selector("[data-page=review]")
    page.click("#tab-supplement")
    page.check(f"input[name=supplement-pick_{place_material.pk}]")
    page.fill(f"input[name=supplement-reason_{place_material.pk}]", "租赁合同未盖出租方印章")
    due = timezone.localdate() + datetime.timedelta(days=7)
    page.fill("input[name=supplement-deadline]", due.isoformat())
    shot(page, "case-04-supplement-form")
    page.click("#do-supplement")
    page.wait_for_selector("[data-latest-document]")
    shot(page, "case-05-supplement-issued")
    text = _download_notice(page, "supplement")
    assert case.number in text and "材料补正告知书" in text and "经营场所使用证明" in text
    _logout(page)

    # 3. The citizen sees the request and uploads the corrected file online.
    login(page, cast.citizen.mobile, cast.password)
    page.goto(f"/cases/{case.pk}/")
    assert "租赁合同未盖出租方印章" in page.locator("[data-supplement-request]").inner_text()
    text = _download_notice(page, "supplement")
    assert case.number in text
    page.click("[data-action=supplement]")
    page.wait_for_selector("[data-page=supplement]")
    page.set_input_files(
        f"input[name=material_{place_material.pk}]", _file("盖章租赁合同.pdf", PDF_BYTES, "application/pdf")
    )
    shot(page, "case-06-citizen-supplement")
    page.click("form button[type=submit]:has-text('提交补正')")
    page.wait_for_selector("[data-page=detail]")
    case.refresh_from_db()
    assert case.state == "submitted"
    _logout(page)

    # 4. The clerk accepts: the acceptance notice.
    login(page, "jc_clerk", cast.password)
    page.goto(f"/cases/{case.pk}/review/")
    assert "盖章租赁合同.pdf" in page.content()
    page.click("#tab-accept")
    page.click("#do-accept")
    page.wait_for_selector("[data-latest-document]")
    shot(page, "case-07-accepted")
    text = _download_notice(page, "acceptance")
    assert case.number in text and "受理通知书" in text
    case.refresh_from_db()
    assert case.state == "accepted"
    _logout(page)

    # 5. The approver grants from the queue: the decision.
    login(page, "jc_approver", cast.password)
    page.wait_for_selector("[data-workbench=approver]")
    shot(page, "case-08-approver-queue")
    page.click(f"[data-case={case.number}] a")
    page.wait_for_selector("[data-page=decide]")
    page.fill("textarea[name=grant-opinion]", "经审查，符合登记条件。")
    shot(page, "case-09-decide")
    page.click("#do-grant")
    page.wait_for_selector("[data-latest-document]")
    shot(page, "case-10-granted")
    text = _download_notice(page, "grant")
    assert case.number in text and "准予行政许可决定书" in text
    case.refresh_from_db()
    assert case.state == "approved"
    _logout(page)

    # 6. The citizen's case page: every step on the timeline, every notice to download.
    login(page, cast.citizen.mobile, cast.password)
    page.goto(f"/cases/{case.pk}/")
    timeline = page.locator(".timeline").inner_text()
    for step in ("提交申请", "一次性告知补正", "补正材料", "受理", "准予许可"):
        assert step in timeline
    # receipt at submission, supplement notice, receipt of the supplement, acceptance, grant
    assert page.locator("[data-download]").count() == 5
    shot(page, "case-11-citizen-timeline")
    page.goto("/workbench/")
    assert case.number in page.locator("[data-section=open]").inner_text()
    shot(page, "case-12-citizen-home")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_counter_application_with_deferral_then_public_progress(page, shot, licence, cast):
    from hall.demo import make_id_number

    form_material, place_material = list(licence.materials.order_by("order"))

    # A walk-in applicant: the clerk picks the item, records identity and originals, scans one material.
    login(page, "jc_clerk", cast.password)
    page.click("#counter-start")
    page.fill("#counter-item-search", "个体工商户")  # the picker searches as the clerk types (htmx)
    page.click(f"#item-results a[data-item='{licence.item_id}']")
    page.wait_for_selector("[data-page=counter-apply]")
    page.fill("input[name=applicant-id_number]", make_id_number("441702", "19750505", "246"))
    page.press("input[name=applicant-id_number]", "Tab")
    page.wait_for_selector("[data-lookup=new]")  # htmx: no account yet, one will be recorded
    page.fill("input[name=applicant-real_name]", "陈小红")
    page.fill("input[name=applicant-mobile]", "13712345678")
    page.check("input[name=applicant-identity_checked]")
    page.set_input_files(
        f"input[name=scan-material_{form_material.pk}]", _file("扫描申请书.pdf", PDF_BYTES, "application/pdf")
    )
    page.check(f"input[name=originals-originals_seen][value='{form_material.pk}']")
    shot(page, "counter-01-apply")
    page.click("form button[type=submit]:has-text('收件并进入受理审查')")
    page.wait_for_selector("[data-page=review]")
    case = Case.objects.get()
    assert "已核验原件" in page.content()

    # The place certificate is deferrable: accept with deferral and the applicant's undertaking.
    page.click("#tab-deferral")
    page.check(f"input[name=deferral-deferred][value='{place_material.pk}']")
    page.fill("input[name=deferral-deadline]", (timezone.localdate() + datetime.timedelta(days=2)).isoformat())
    page.check("input[name=deferral-undertaking]")
    shot(page, "counter-02-deferral")
    page.click("#do-deferral")
    page.wait_for_selector("[data-latest-document]")
    shot(page, "counter-03-deferred")
    text = _download_notice(page, "deferral")
    assert case.number in text and "容缺受理通知书" in text
    _logout(page)

    # Anyone with the number and the mobile sees the progress, nothing personal.
    page.goto("/cases/progress/")
    page.fill("input[name=number]", case.number)
    page.fill("input[name=mobile]", "13712345678")
    page.click("form button[type=submit]:has-text('查询')")
    page.wait_for_selector("[data-progress-result]")
    result = page.locator("[data-progress-result]").inner_text()
    assert "已受理" in result and "容缺受理" in result and "陈小红" not in result
    shot(page, "counter-04-progress")


def test_bad_file_message_sits_next_to_its_input_and_draft_shows_the_check(page, shot, licence, cast):
    form_material, place_material = list(licence.materials.order_by("order"))
    login(page, cast.citizen.mobile, cast.password)
    page.goto(f"/cases/apply/{licence.item_id}/")
    page.set_input_files(
        f"input[name=material_{form_material.pk}]", _file("申请书.pdf", b"this is not a pdf", "application/pdf")
    )
    page.click("button[value=save]")
    page.wait_for_selector(".invalid-feedback")
    field = page.locator(f"#div_id_material_{form_material.pk}")
    assert "内容与扩展名不符" in field.inner_text()
    assert not Case.objects.exists()
    shot(page, "apply-bad-file")

    page.set_input_files(f"input[name=material_{form_material.pk}]", _file("申请书.pdf", PDF_BYTES, "application/pdf"))
    page.click("button[value=save]")
    page.wait_for_selector("[data-page=edit]")
    check = page.locator(".completeness").inner_text()
    assert "经营场所使用证明" in check and "容缺" in check
    shot(page, "apply-draft-check")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_special_procedure_extension_and_denial(page, shot, licence, cast):
    from tests.cases.helpers import accepted_case

    case = accepted_case(cast, licence)

    # The approver starts a hearing (the clock stops), ends it, and asks for an extension.
    login(page, "jc_approver", cast.password)
    page.goto(f"/cases/{case.pk}/decide/")
    page.click("button[data-bs-target='#act-suspend']")
    page.select_option("select[name=suspend-kind]", "hearing")
    page.fill("textarea[name=suspend-reason]", "涉及相邻权利人重大利益，依申请举行听证")
    page.fill("input[name=suspend-expected_days]", "10")
    page.click("#do-suspend")
    page.wait_for_selector("[data-latest-document]")
    text = _download_notice(page, "special_procedure")
    assert case.number in text and "特别程序告知书" in text
    shot(page, "decide-01-suspended")
    page.click("#do-resume")
    page.wait_for_selector("#do-grant", state="attached")
    page.click("button[data-bs-target='#act-extension']")
    page.fill("input[name=extension-days]", "12")
    page.fill("textarea[name=extension-reason]", "需现场核查")
    page.click("#do-extension")
    # The item's cap (Art. 42: 10 working days) is the service's rule: its message sits in the form.
    refusal = page.locator("#act-extension .alert-danger, #act-extension .invalid-feedback").first
    refusal.wait_for()
    assert "10" in refusal.inner_text() and "第四十二条" in refusal.inner_text()
    shot(page, "decide-02-extension-too-long")
    page.fill("input[name=extension-days]", "5")
    page.click("#do-extension")
    page.wait_for_selector("text=延期申请已提交")
    _logout(page)

    # The head of the deciding agency (机关负责人, Art. 42) approves it from the extensions list, where they land.
    login(page, "jc_head", cast.password)
    page.wait_for_selector("[data-page=extensions]")
    page.check("input[type=radio][value='1']")
    shot(page, "decide-03-extension-approval")
    page.click("[data-extension] button[type=submit]")
    page.wait_for_selector("text=已批准延期")
    case.refresh_from_db()
    assert case.extension_days == 5
    _logout(page)

    # The approver denies with reasons; a denial without reasons is refused next to the field.
    login(page, "jc_approver", cast.password)
    page.goto(f"/cases/{case.pk}/decide/")
    page.click("button[data-bs-target='#act-deny']")
    page.click("#do-deny")
    page.wait_for_selector("#act-deny .invalid-feedback")
    shot(page, "decide-04-deny-without-reasons")
    page.fill("textarea[name=deny-reasons]", "经现场核查，经营场所属于住宅，不符合登记条件")
    page.click("#do-deny")
    page.wait_for_selector("[data-latest-document]")
    text = _download_notice(page, "denial")
    assert case.number in text and "不予行政许可决定书" in text and "行政复议" in text
    case.refresh_from_db()
    assert case.state == "denied"
