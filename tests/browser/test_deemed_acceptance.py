"""Browser journey (行政许可法 Art. 32): an online application left untouched past its intake window is
accepted by the periodic scan; the applicant downloads the receipt (收件凭证) and the acceptance notice,
and both say what the law says (pdftotext)."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.core.cache import cache
from django.utils import timezone

from cases.constants import CaseState, EventKind
from cases.models import Case
from cases.sla import sla_scan
from hall.models import Notice
from hall.workdays import add_working_days
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
    MaterialFactory(version=version, order=2, name="经营场所使用证明")
    return version


def _pdf_text(download, name: str) -> str:
    path = download.path()
    assert path.read_bytes().startswith(b"%PDF")
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    text = "".join(result.stdout.decode("utf-8").split())
    (ARTIFACTS / f"law-{name}.txt").write_text(text)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(path), str(ARTIFACTS / f"law-{name}")])
    return text


def _download(page, kind: str, name: str) -> str:
    with page.expect_download() as download:
        page.click(f"[data-download={kind}] >> nth=0")
    return _pdf_text(download.value, name)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_untouched_application_is_accepted_by_law(page, shot, licence, cast):
    form_material, place_material = licence.materials.order_by("order")

    # 1. The citizen applies online with both materials; nobody at the hall looks at it.
    login(page, cast.citizen.mobile, cast.password)
    page.goto(f"/items/{licence.item_id}/")
    page.click("#apply-online")
    page.wait_for_selector("[data-page=apply]")
    page.fill("textarea[name=description]", "在江城区开设一家小吃店")
    pdf = {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    png = {"name": "租赁合同.png", "mimeType": "image/png", "buffer": PNG_BYTES}
    page.set_input_files(f"input[name=material_{form_material.pk}]", pdf)
    page.set_input_files(f"input[name=material_{place_material.pk}]", png)
    page.click("button[value=submit]")
    page.wait_for_selector("[data-page=detail]")
    case = Case.objects.get()
    received_on = timezone.localdate(case.received_at)
    assert case.state == CaseState.SUBMITTED
    assert case.intake_due == add_working_days(received_on, 5)

    # 2. The receipt is on the case page at once: numbered, the materials, the intake date, Art. 32.
    page.reload()
    page.wait_for_selector("[data-receipts]")
    shot(page, "law-01-submitted-with-receipt")
    receipt = _download(page, "receipt", "receipt")
    assert "收件凭证" in receipt and case.number in receipt
    assert "个体工商户登记（备案）申请书" in receipt and "经营场所使用证明" in receipt
    assert f"{case.intake_due:%Y年}{case.intake_due.month}月{case.intake_due.day}日前" in receipt
    assert "逾期不告知的" in receipt and "自收到申请材料之日起即为受理" in receipt and "第三十二条" in receipt

    # 3. The scan runs on the 6th working day after receipt: the application stands accepted by law.
    sixth = add_working_days(received_on, 6)
    result = sla_scan(now=timezone.make_aware(dt.datetime.combine(sixth, dt.time(1, 0))))
    assert case.pk in result.accepted_by_law
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and case.accepted_by_law and case.accepted_on == received_on
    assert case.events.get(kind=EventKind.ACCEPTED_BY_LAW).actor is None

    # 4. The applicant sees it on the case page and downloads the acceptance notice.
    page.reload()
    page.wait_for_selector("[data-accepted-by-law]")
    assert "依法视为受理" in page.inner_text("[data-accepted-by-law]")
    shot(page, "law-02-accepted-by-law")
    notice = _download(page, "acceptance", "acceptance")
    assert "受理通知书" in notice and case.number in notice
    assert "依法自收到申请材料之日起即为受理" in notice and "第三十二条" in notice
    assert f"{received_on.year}年{received_on.month}月{received_on.day}日" in notice  # the acceptance date
    promised = add_working_days(received_on, licence.promised_days)
    assert f"{promised.year}年{promised.month}月{promised.day}日前" in notice

    # 5. The applicant and the hall's intake clerks are told (outbox; sent by the notice task).
    told = set(Notice.objects.filter(kind="case_accepted_by_law").values_list("recipient__username", flat=True))
    assert {cast.citizen.username, "jc_clerk"} <= told
