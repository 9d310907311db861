"""Browser: a clerk enrols TOTP, logs in with it, opens a citizen's case and a material; the citizen's case
page shows that the hall's clerk viewed it; a notice's public verification shows a valid SM2 signature."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from hall.models import AccessRecord
from tests.cases.helpers import accepted_case

from .conftest import login, otp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.click("nav form button:has-text('退出')")
    page.wait_for_load_state("networkidle")


def test_clerk_two_factors_audited_read_and_signed_notice(page, shot, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TONGBAN_SM2_KEY_DIR = str(tmp_path / "sm2")
    case = accepted_case(cast)  # the acceptance notice is issued and signed by 江城区市场监管局's key
    material = case.materials.first()
    notice = case.documents.first()
    clerk = cast.clerk.username

    # 1. Password alone is not enough: the clerk is sent to enrol a second factor (QR code).
    page.goto("/login/")
    page.fill("input[name=username]", clerk)
    page.fill("input[name=password]", cast.password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/security/otp/enrol/" in page.url
    assert page.locator("img.otp-qr").is_visible()
    shot(page, "security-enrol")
    page.fill("input[name=code]", "000000")
    page.click("#otp-enrol button[type=submit]")
    assert page.locator(".invalid-feedback, .errorlist, #error_1_id_code").first.is_visible()
    page.fill("input[name=code]", otp_code(clerk, confirmed=False))
    page.click("#otp-enrol button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#recovery-codes li").count() == 10
    shot(page, "security-recovery-codes")
    assert TOTPDevice.objects.filter(user=cast.clerk, confirmed=True).exists()
    _logout(page)

    # 2. Logs in with password + TOTP code.
    page.goto("/login/")
    page.fill("input[name=username]", clerk)
    page.fill("input[name=password]", cast.password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/security/otp/verify/" in page.url
    shot(page, "security-verify")
    page.fill("input[name=code]", otp_code(clerk))
    page.click("#otp-verify button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/security/otp/" not in page.url and "/login/" not in page.url

    # 3. Opens the citizen's case and a material.
    page.goto(f"/cases/{case.pk}/")
    assert page.locator("main").inner_text().count(case.number) >= 1
    response = page.request.get(f"/cases/{case.pk}/materials/{material.pk}/")
    assert response.status == 200
    assert AccessRecord.objects.filter(case_id=case.pk, actor=cast.clerk).count() == 2
    _logout(page)

    # 4. The citizen sees that the hall's clerk looked at the case.
    login(page, cast.citizen.username, cast.password)
    page.goto(f"/cases/{case.pk}/")
    section = page.locator("#access-log")
    section.scroll_into_view_if_needed()
    text = section.inner_text()
    assert cast.halls["JC"].name in text and "综合窗口人员" in text and "申请材料文件" in text
    shot(page, "security-citizen-access-log")

    # 5. The notice's public verification shows a valid SM2 signature.
    page.goto(f"/verify/{notice.token}/")
    check = page.locator("#signature-check[data-signature=valid]")
    assert check.is_visible() and "SM2 签名有效" in check.inner_text()
    shot(page, "security-verify-signature")
