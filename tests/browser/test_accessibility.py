"""Every page of the portal, for every role, meets WCAG 2.1 AA as axe-core checks it (no serious or
critical violation) and never scrolls sideways at 375 px: in Chinese and English, normal and large
text, at 1280 and 375 px (see a11y.VARIANTS for how the four visits per page cover them).

The pages are found by following links from each role's landing page over the demo data that
`make run` loads, so a page added later is checked without editing this test."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from hall.constants import StaffRole
from hall.demo import DEMO_PASSWORD
from hall.models import User

from . import a11y
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"
CITIZENS = ["13800000001", "13800000004"]  # a person, and an enterprise's agent


def demo_seed_commands() -> list[str]:
    """The seed commands of the Makefile's `demo` target, in order: the same data a newcomer sees."""
    block = MAKEFILE.read_text().split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"manage\.py (\w+)", block)


def accounts() -> list[str | None]:
    """Anonymous, two citizens, and one 江城区 staff member of every role the demo has."""
    staff = []
    for role in StaffRole.values:
        user = User.objects.filter(assignments__hall__code="JC", assignments__role=role).order_by("pk").first()
        if user and user.username not in staff:
            staff.append(user.username)
    return [None, *CITIZENS, *staff]


def crawl_and_check(page, start: str, checked: set, variant: tuple, axe_source: str, findings: list) -> dict:
    """Crawl from `start` and check, in `variant`, each page found that is still to check: public pages
    look the same to everyone, so each is checked once; a role's own landing page always. Returns those
    pages (pattern -> url) for the other variants."""
    todo = {}

    def check_found(pattern: str, url: str) -> None:
        if pattern not in checked or url == start:
            todo[pattern] = url
            findings.extend(a11y.check_shown_page(page, url, variant, axe_source))

    a11y.discover(page, start, findings, on_page=check_found)
    return todo


def test_every_page_meets_wcag_aa_without_sideways_scrolling(browser, live_server):
    for command in demo_seed_commands():
        call_command(command, verbosity=0)
    axe_source = a11y.AXE_JS.read_text()
    checked: set[str] = set()
    findings: list[a11y.Finding] = []
    visited = {}
    first, *others = a11y.VARIANTS
    for account in accounts():
        # axe is injected inline; the crawl runs in the first variant and checks each page as it finds it.
        viewport = {"width": first[2], "height": 900}
        context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport=viewport)
        a11y.set_variant(context, live_server.url, first)
        page = context.new_page()
        if account:
            login(page, account, DEMO_PASSWORD)
        start = page.url if account else f"{live_server.url}/"
        todo = crawl_and_check(page, start, checked, first, axe_source, findings)
        checked.update(todo)
        visited[account or "anonymous"] = sorted(todo)
        for variant in others:
            a11y.set_variant(context, live_server.url, variant)
            for url in todo.values():
                findings.extend(a11y.check_page(page, url, variant, axe_source))
        context.close()
    print(f"checked {len(checked)} pages: {visited}")
    assert len(checked) >= 20, f"the crawl found too few pages: {visited}"
    report = "\n".join(f"{f.url} {f.variant}: {f.problem}" for f in findings)
    assert not findings, f"{len(findings)} accessibility problems:\n{report}"
