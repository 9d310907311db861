"""Headless chromium through Playwright's sync API, against pytest-django's live server.

Debian's chromium is used (`playwright install` cannot download browsers here). Screenshots go to
test-artifacts/ so that a person can look at what the test saw."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TONGBAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: run `make sysdeps` (installs Debian's chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def shot():
    """shot(page, "name") saves a full-page screenshot under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def login(page, username: str, password: str) -> None:
    """Log in; for a staff account also pass the second factor (docs/security.md) as its owner would:
    the TOTP code computed from the account's device secret (enrolling first if it has none)."""
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    _click_and_load(page, "main form button[type=submit]")
    if "/security/otp/enrol/" in page.url:
        page.fill("input[name=code]", otp_code(username, confirmed=False))
        _click_and_load(page, "#otp-enrol button[type=submit]")
        _click_and_load(page, "main a.btn-primary")  # recovery codes shown once: "saved, continue"
    elif "/security/otp/verify/" in page.url:
        page.fill("input[name=code]", otp_code(username))
        _click_and_load(page, "#otp-verify button[type=submit]")


def _click_and_load(page, selector: str) -> None:
    """Click what leads to another page and wait until that page has loaded (not for the network to fall
    quiet, which costs half a second more on every page)."""
    with page.expect_navigation():
        page.click(selector)


def otp_code(username: str, *, confirmed: bool = True) -> str:
    """The current TOTP code of the account's device, as the authenticator app shows it. The device's
    last used step is cleared first: a second login within the same 30 seconds is a test's doing, not a
    replay (the refusal of a replayed code has its own test)."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username, confirmed=confirmed).order_by("-pk").first()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
