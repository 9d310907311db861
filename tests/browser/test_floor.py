"""Browser journey of the hall floor: a citizen books tomorrow's 09:00 slot at 江城区; the next day
the kiosk issues a Y ticket for the booking code; the calling screen shows it called to a window
(htmx polling, no reload); the clerk serves it, counter intake opens prefilled and the case is
received; the wait and service times appear in the supervisor's figures.

"Tomorrow" is played by moving the floor's clock (settings.TONGBAN_FLOOR_CLOCK_SHIFT_SECONDS), which
the live server reads in this same process: nothing sleeps."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from cases.models import Case
from hall.floor.constants import TicketState
from hall.floor.demo import seed_floor_hours
from hall.models import Booking, Ticket
from tests.hall.floor_helpers import TUESDAY, WEDNESDAY, moment
from tests.items.factories import ItemVersionFactory

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def floor_clock(settings):
    from hall.floor.clock import shift_to

    def move(day: dt.date, hour: int, minute: int = 0) -> None:
        settings.TONGBAN_FLOOR_CLOCK_SHIFT_SECONDS = shift_to(moment(day, hour, minute))
        cache.clear()  # the calling screen's cached fragment belongs to the old moment

    return move


def _logout(page):
    page.click("nav form button:has-text('退出')")
    page.wait_for_load_state("networkidle")


def test_book_take_ticket_call_serve_and_figures(page, browser, live_server, shot, cast, floor_clock):
    seed_floor_hours()
    version = ItemVersionFactory(name="个体工商户设立登记", materials=0)
    floor_clock(TUESDAY, 10)

    # 1. The citizen books tomorrow's 09:00 slot at 江城区 from the item's booking page.
    login(page, cast.citizen.mobile, cast.password)
    page.goto(f"/items/{version.item_id}/book/?hall=JC&date={WEDNESDAY.isoformat()}")
    page.wait_for_selector("[data-page=book]")
    shot(page, "floor-01-book")
    page.click("[data-slot='09:00']")
    page.wait_for_selector("[data-page=bookings]")
    booking = Booking.objects.get()
    assert booking.date == WEDNESDAY and booking.starts_at == dt.time(9)
    assert booking.code in page.locator(f"[data-booking='{booking.code}']").inner_text()
    shot(page, "floor-02-my-bookings")
    _logout(page)

    # 2. The next day, ten minutes before the slot: the kiosk issues a Y ticket for the booking code.
    floor_clock(WEDNESDAY, 8, 50)
    kiosk = browser.new_page(base_url=live_server.url, locale="zh-CN")
    kiosk.goto("/floor/JC/kiosk/")
    shot(kiosk, "floor-03-kiosk")
    kiosk.click("#kiosk-code")
    for digit in booking.code:  # typed on the kiosk's own keypad (a touch screen has no keyboard)
        kiosk.click(f"#kiosk-pad [data-key='{digit}']")
    assert kiosk.input_value("#kiosk-code") == booking.code
    kiosk.click("#kiosk-booking-submit")
    kiosk.wait_for_selector("[data-page=ticket]")
    assert kiosk.inner_text("#ticket-number") == "YC001"
    assert "前面还有 0 人" in kiosk.inner_text("#ticket-ahead")
    shot(kiosk, "floor-04-ticket")

    # 3. The calling screen is open on the big display; the clerk signs in at window 3 and calls.
    screen = browser.new_page(base_url=live_server.url, locale="zh-CN", viewport={"width": 1600, "height": 900})
    screen.goto("/floor/JC/screen/")
    assert "请取号等候" in screen.inner_text("#screen-current")
    screen.evaluate("window.__notReloaded = true")
    floor_clock(WEDNESDAY, 9, 2)
    login(page, "jc_clerk", cast.password)
    page.goto("/floor/desk/")
    page.select_option("#desk-window", label=page.locator("#desk-window option", has_text="3号").first.inner_text())
    page.click("#desk-sign-in-submit")
    page.click("#desk-call")
    page.wait_for_selector("#desk-current[data-ticket=YC001]")
    shot(page, "floor-05-desk-called")
    screen.wait_for_selector("#screen-current:has-text('请 YC001 号到 3 号窗口')", timeout=2500)
    assert screen.evaluate("window.__notReloaded") is True  # updated in place, no full reload
    assert screen.locator("[data-called=YC001]").count() == 1
    shot(screen, "floor-06-screen")

    # 4. The clerk serves it: counter intake opens prefilled with the person and the booked item.
    floor_clock(WEDNESDAY, 9, 10)
    page.click("#desk-serve")
    page.wait_for_selector("[data-page=counter-apply]")
    assert page.input_value("input[name=applicant-id_number]") == cast.citizen.id_number
    assert page.input_value("input[name=applicant-real_name]") == "张三"
    assert "YC001" in page.inner_text("#counter-ticket")
    assert "个体工商户设立登记" in page.content()
    page.check("input[name=applicant-identity_checked]")
    if page.locator("input[name=delivery_method][value=pickup]").count():
        page.check("input[name=delivery_method][value=pickup]")
    shot(page, "floor-07-counter-prefilled")
    page.click("form button[type=submit]:has-text('收件并进入受理审查')")
    page.wait_for_selector("[data-page=review]")
    case = Case.objects.get()
    ticket = Ticket.objects.get()
    assert case.ticket == ticket and case.applicant == cast.citizen and case.state == "submitted"
    assert ticket.state == TicketState.SERVED
    assert 11 * 60 <= ticket.wait_seconds < 13 * 60 and 7 * 60 <= ticket.service_seconds < 9 * 60
    _logout(page)

    # 5. The supervisor's page shows the day's figures for 江城区: one ticket, its wait and service.
    login(page, "jc_supervisor", cast.password)
    page.goto(reverse("cases:supervision"))
    row = page.locator("[data-floor-hall=JC]")
    row.wait_for()
    assert row.locator("[data-figure=tickets]").inner_text() == "1"
    assert float(row.locator("[data-figure=avg-wait]").inner_text()) == pytest.approx(12, abs=1)
    assert float(row.locator("[data-figure=avg-service]").inner_text()) == pytest.approx(8, abs=1)
    assert row.locator("[data-figure=kept]").inner_text() == "1"
    page.locator("#floor-figures").scroll_into_view_if_needed()
    shot(page, "floor-08-figures")


def test_floor_pages_meet_wcag_aa(browser, live_server, cast, floor_clock):
    """Kiosk, ticket slip, calling screen, desk, hours, booking and my bookings: no serious or
    critical axe-core violation and no sideways scrolling, in each language, text size and width."""
    from hall.floor.booking import booking_create
    from hall.floor.tickets import ticket_call_next, ticket_issue, window_sign_in
    from hall.models import Window

    from . import a11y

    seed_floor_hours()
    version = ItemVersionFactory(name="个体工商户设立登记", materials=0)
    floor_clock(TUESDAY, 10)
    booking_create(
        citizen=cast.citizen,
        hall=cast.halls["JC"],
        category="commercial",
        day=WEDNESDAY,
        starts_at=dt.time(9),
        item_id=version.item_id,
        item_name=version.name,
    )
    ticket = ticket_issue(hall=cast.halls["JC"], category="commercial")
    window = Window.objects.get(hall=cast.halls["JC"], number=3)
    window_sign_in(clerk=cast.clerk, window=window)
    ticket_call_next(clerk=cast.clerk, window=window)
    ticket_issue(hall=cast.halls["JC"], category="social")
    axe_source = a11y.AXE_JS.read_text()
    pages = {
        None: ["/floor/JC/kiosk/", f"/floor/JC/tickets/{ticket.pk}/", "/floor/JC/screen/"],
        cast.citizen.mobile: [f"/items/{version.item_id}/book/?hall=JC&date={WEDNESDAY}", "/floor/bookings/"],
        "jc_clerk": ["/floor/desk/"],
        "jc_sysadmin": ["/floor/JC/hours/"],
    }
    findings = []
    for account, urls in pages.items():
        context = browser.new_context(base_url=live_server.url, bypass_csp=True)  # axe is injected inline
        page = context.new_page()
        if account:
            login(page, account, cast.password)
        for variant in a11y.VARIANTS:
            a11y.set_variant(context, live_server.url, variant)
            for url in urls:
                findings.extend(a11y.check_page(page, url, variant, axe_source))
        context.close()
    report = "\n".join(f"{f.url} {f.variant}: {f.problem}" for f in findings)
    assert not findings, f"{len(findings)} accessibility problems:\n{report}"
