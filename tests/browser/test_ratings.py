"""Browser: after pickup at the result window the applicant rates 不满意 on the window's tablet with
two tags; the department's ticket appears with its deadline; the call-back and the fix are recorded;
the applicant's follow-up closes it; the public page shows the new figures in its chart and table."""

import pytest

from evaluation.constants import TicketState
from evaluation.models import RatingDevice, RectificationTicket
from hall.models import Notice, Window
from tests.delivery.helpers import granted_case, picked_up

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_bad_rating_on_the_tablet_is_fixed_and_published(page, shot, cast):
    case = granted_case(cast)
    picked_up(cast, case)
    result_window = Window.objects.get(hall=cast.halls["JC"], category="result")
    device = RatingDevice.objects.create(window=result_window, name="出件窗口评价器")

    # 1. The result window's tablet shows the pickup just finished and its clerk.
    page.goto(f"/ratings/tablet/{device.key}/")
    page.wait_for_selector("#rating-form")
    assert cast.result_clerk.real_name in page.locator("#service-clerk").inner_text()
    assert page.locator("img.tablet-qr").count() == 1
    page.click("label[for=level-4]")
    assert page.locator("[data-tags-for='1']").is_hidden()  # only the chosen level's tags
    page.click("label[for='tag-4-01']")
    page.click("label[for='tag-4-04']")
    page.fill("#id_text", "没有样表，来回跑了两次。")
    shot(page, "ratings-1-tablet")
    page.click("#rating-submit")
    page.wait_for_selector("#tablet-waiting")
    assert "感谢您的评价" in page.content()
    ticket = RectificationTicket.objects.get()
    assert ticket.rating.level == 4 and len(ticket.rating.tags) == 2 and ticket.rating.channel == "tablet"

    # 2. The department's approver sees the ticket with its deadline; records the call-back and the fix.
    login(page, "jc_approver", cast.password)
    page.goto("/ratings/tickets/")
    row = page.locator(f"tr[data-ticket='{ticket.pk}']")
    assert f"{ticket.next_due:%Y-%m-%d}" in row.inner_text()
    shot(page, "ratings-2-tickets")
    row.locator("a").click()
    page.wait_for_selector("[data-page=rating-ticket]")
    assert f"{ticket.fix_due:%Y-%m-%d}" in page.locator("#ticket-clocks").inner_text()
    assert "没有提供材料样本" in page.locator("#ticket-tags").inner_text()
    page.fill("#callback-form textarea[name=note]", "已电话回访，申请人反映缺少申请表样表。")
    page.click("#callback-form button[type=submit]")
    page.wait_for_selector("[data-step=called_back]")
    page.check("#rectify-form input[value=fixed]")
    page.fill("#rectify-form textarea[name=note]", "已在出件窗口和网上办事指南补充样表。")
    page.click("#rectify-form button[type=submit]")
    page.wait_for_selector("[data-step=reported]")
    assert "已整改，待评价人追评" in page.locator("#ticket-state").inner_text()
    shot(page, "ratings-3-ticket-fixed")

    # 3. The applicant follows the outcome notice's link and rates again: the ticket closes.
    page.context.clear_cookies()
    link = Notice.objects.get(recipient=cast.citizen, kind="rating_outcome").link
    page.set_viewport_size({"width": 375, "height": 800})  # on the phone
    page.goto(link)
    page.wait_for_selector("#rating-form")
    assert page.evaluate("document.documentElement.scrollWidth <= 375")
    page.click("label[for=level-2]")
    page.click("label[for='tag-2-02']")
    shot(page, "ratings-3b-follow-up-phone")
    page.click("#rating-submit")
    page.wait_for_selector("[data-page=rating-thanks]")
    page.set_viewport_size({"width": 1280, "height": 800})
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED

    # 4. The public page: the follow-up (满意) counts in the chart and in the table; the fix too.
    page.goto("/ratings/?by=department")
    page.wait_for_selector("#level-chart")
    total = page.locator("tr[data-line=total]")
    assert total.locator("[data-cell=level-2]").inner_text() == "1"
    assert total.locator("[data-cell=level-4]").inner_text() == "0"
    assert total.locator("[data-cell=bad-tickets]").inner_text() == "1"
    assert total.locator("[data-cell=rectified]").inner_text() == "1"
    assert page.locator("#level-chart g[data-level='2'] text").first.text_content() == "1"
    assert page.locator("#level-chart g[data-level='2'] rect").get_attribute("height") != "0.0"
    assert "100.0%" in page.locator("[data-total=rectification]").inner_text()
    shot(page, "ratings-4-figures")

    # 5. The supervisor: nothing open, the result clerk's bad rating cleared twice (双归零).
    login(page, "jc_supervisor", cast.password)
    page.goto("/ratings/supervision/?unit=clerk")
    assert page.locator("[data-count=open]").inner_text() == "0"
    row = page.locator("#double-zero tbody tr", has_text=cast.result_clerk.real_name)
    assert "已双归零" in row.inner_text()
    shot(page, "ratings-5-supervision")
    page.goto("/ratings/assessment/")
    row = page.locator(f"#assessment tr[data-clerk='{cast.result_clerk.pk}']")
    assert row.count() == 1
    shot(page, "ratings-6-assessment")


def test_ratings_pages_meet_wcag_aa_without_sideways_scrolling(browser, live_server, cast):
    """axe-core (WCAG 2.1 A/AA, serious and critical) and phone width on every ratings page, with a
    bad rating in every state a page can show (the tablet, the token page, a ticket, supervision)."""
    from evaluation.models import RatingToken
    from evaluation.services import rating_submit, services_collect

    from . import a11y

    case = granted_case(cast)
    picked_up(cast, case)
    services_collect()
    pickup = case and RatingToken.objects.filter(service__kind="pickup").get().service
    device = RatingDevice.objects.create(window=pickup.window)
    matter_token = RatingToken.objects.get(service__kind="matter")
    rating_submit(service=matter_token.service, level=5, tags=["5-01", "5-04"], channel="pc", user=cast.citizen)
    ticket = RectificationTicket.objects.get()
    axe_source = a11y.AXE_JS.read_text()
    visits = [
        (None, ["/ratings/", "/ratings/?by=item", f"/ratings/tablet/{device.key}/", f"/ratings/t/{matter_token.token}/",
                "/ratings/t/forged/", "/ratings/thanks/"]),
        ("jc_approver", ["/ratings/tickets/", f"/ratings/tickets/{ticket.pk}/"]),
        ("jc_supervisor", ["/ratings/supervision/", "/ratings/assessment/", f"/ratings/tickets/{ticket.pk}/"]),
    ]  # fmt: skip
    findings = []
    for account, urls in visits:
        context = browser.new_context(base_url=live_server.url, bypass_csp=True)  # axe is injected inline
        page = context.new_page()
        if account:
            login(page, account, cast.password)
        for variant in a11y.VARIANTS:
            a11y.set_variant(context, live_server.url, variant)
            for url in urls:
                findings.extend(a11y.check_page(page, f"{live_server.url}{url}", variant, axe_source))
        context.close()
    report = "\n".join(f"{f.url} {f.variant}: {f.problem}" for f in findings)
    assert not findings, f"{len(findings)} accessibility problems:\n{report}"
