"""Browser journey of the foundation: a citizen registers and logs in; every staff role lands on
its own workbench; large-text mode and the language switch work at phone width."""

import pytest

from hall.constants import StaffRole
from hall.demo import DEMO_PASSWORD, make_id_number, seed_demo, staff_username

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_registers_then_logs_in(page, shot):
    seed_demo()
    page.goto("/register/")
    page.fill("#id_real_name", "赵敏")
    page.fill("#id_id_number", "110105194912310021")  # wrong check digit first
    page.fill("#id_mobile", "13912345678")
    page.fill("#id_password1", "Yangjiang#88")
    page.fill("#id_password2", "Yangjiang#88")
    page.click("main form button[type=submit]")
    error = page.locator("#id_id_number ~ .invalid-feedback, #error_1_id_id_number").first
    assert "校验位不正确" in error.inner_text()
    shot(page, "foundation-register-error")

    page.fill("#id_id_number", make_id_number("441702", "19910203", "135"))
    page.fill("#id_password1", "Yangjiang#88")
    page.fill("#id_password2", "Yangjiang#88")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-workbench=citizen]")
    assert "注册成功" in page.content()

    page.click("nav form button:has-text('退出')")
    login(page, "13912345678", "Yangjiang#88")
    page.wait_for_selector("[data-workbench=citizen]")
    shot(page, "foundation-citizen-home")


def test_each_staff_role_lands_on_its_workbench(page, shot):
    seed_demo()
    for role in StaffRole.values:
        page.context.clear_cookies()
        login(page, staff_username("JC", role), DEMO_PASSWORD)
        page.wait_for_selector("[data-workbench]")
        landed = page.locator("[data-workbench]").first.get_attribute("data-workbench")
        assert landed == role, f"{role} landed on {landed} ({page.url})"
        shot(page, f"foundation-workbench-{role}")


def test_wrong_password_then_lockout_message(page, settings):
    seed_demo()
    for _ in range(settings.TONGBAN_LOGIN_FAILURE_LIMIT):
        login(page, "13800000001", "not-the-password")
    assert "账号或密码不正确" in page.content() or "登录失败次数过多" in page.content()
    login(page, "13800000001", DEMO_PASSWORD)
    assert "登录失败次数过多" in page.locator("#lockout").inner_text()


def test_phone_width_large_text_and_english(page, shot):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/login/")
    page.click(".navbar-toggler")
    page.click("#large-text-toggle")
    page.wait_for_selector("body.large-text")
    page.goto("/register/")
    assert "large-text" in page.locator("body").get_attribute("class")  # persists across pages
    shot(page, "foundation-phone-large-text")
    page.click(".navbar-toggler")
    page.select_option("#language-select", "en")
    page.click("#language-select ~ button")
    page.wait_for_selector("html[lang=en]")
    assert "Register as a person" in page.content()
    shot(page, "foundation-phone-english")
