"""Keyboard alone (no mouse): a citizen applies online and a window clerk accepts the application.
Every control is reached with Tab, chosen with Enter or Space, and typed into with the keys."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from cases.models import Case
from tests.cases.factories import PDF_BYTES, PNG_BYTES
from tests.items.factories import ItemVersionFactory, MaterialFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector: str, *, limit: int = 150) -> None:
    """Press Tab until the element matching `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def keyboard_login(page, username: str, password: str) -> None:
    page.goto("/login/")
    tab_to(page, "input[name=username]")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    if "/security/otp/" in page.url:  # staff: the second factor, typed from the authenticator app
        from .conftest import otp_code

        enrol = "/enrol/" in page.url
        tab_to(page, "input[name=code]")
        page.keyboard.type(otp_code(username, confirmed=not enrol))
        with page.expect_navigation():
            page.keyboard.press("Enter")
        if enrol:  # recovery codes are shown once: "saved, continue"
            tab_to(page, "main a.btn-primary")
            with page.expect_navigation():
                page.keyboard.press("Enter")


def keyboard_logout(page) -> None:
    tab_to(page, "nav form[action='/logout/'] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def choose_file(page, selector: str, name: str, content: bytes, mime: str) -> None:
    for attempt in range(3):
        tab_to(page, selector)
        try:
            with page.expect_file_chooser(timeout=8000) as chooser:
                page.keyboard.press("Space")
            break
        except PlaywrightTimeoutError:
            # A busy browser may drop the dialog of one key press; a keyboard user presses again.
            if attempt == 2:
                raise
            page.keyboard.press("Shift")
    chooser.value.set_files({"name": name, "mimeType": mime, "buffer": content})
    # The browser lets a page open one file dialog per user gesture: the next Space must be a new one.
    page.wait_for_function("(s) => document.querySelector(s).files.length === 1", arg=selector)
    page.keyboard.press("Shift")


def test_apply_and_accept_with_the_keyboard_alone(page, shot, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    version = ItemVersionFactory(name="个体工商户设立登记", materials=0, receivable_halls=[cast.halls["JC"]])
    form = MaterialFactory(version=version, order=1, name="个体工商户登记（备案）申请书")
    place = MaterialFactory(version=version, order=2, name="经营场所使用证明")

    keyboard_login(page, cast.citizen.mobile, cast.password)
    page.goto(f"/items/{version.item_id}/")
    tab_to(page, "#apply-online")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-page=apply]")
    tab_to(page, "textarea[name=description]")
    page.keyboard.type("在江城区开设一家小吃店")
    choose_file(page, f"input[name=material_{form.pk}]", "申请书.pdf", PDF_BYTES, "application/pdf")
    choose_file(page, f"input[name=material_{place.pk}]", "租赁合同.png", PNG_BYTES, "image/png")
    tab_to(page, "button[value=submit]")
    shot(page, "keyboard-01-apply")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-page=detail]")
    case = Case.objects.get()
    assert case.state == "submitted"
    keyboard_logout(page)

    keyboard_login(page, "jc_clerk", cast.password)
    tab_to(page, f"[data-case='{case.number}'] a")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-page=review]")
    tab_to(page, "#tab-accept")
    page.keyboard.press("Enter")
    tab_to(page, "#do-accept")
    shot(page, "keyboard-02-review")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-latest-document]")
    case.refresh_from_db()
    assert case.state == "accepted"
    shot(page, "keyboard-03-accepted")
