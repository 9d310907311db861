"""Pages of the hall floor: kiosk, ticket slip, calling screen, window desk, booking, my bookings,
opening hours; who may see each (outsiders get 404); counter intake prefilled from a served ticket."""

import datetime as dt

import pytest
from django.urls import reverse

from cases.models import Case
from hall.constants import StaffRole, WindowCategory
from hall.demo import staff_username
from hall.floor.booking import booking_create
from hall.floor.constants import BookingState, TicketState
from hall.floor.tickets import ticket_call_next, ticket_issue, ticket_issue_for_booking, window_sign_in
from hall.models import Booking, ClosedDay, Notice, OpeningHours, Ticket, User, Window
from tests.items.factories import ItemVersionFactory

from .floor_helpers import TUESDAY, WEDNESDAY

pytestmark = pytest.mark.django_db
C = WindowCategory.COMMERCIAL


def _jc_admin():
    return User.objects.get(username=staff_username("JC", StaffRole.SYSTEM_ADMIN))


def test_kiosk_issues_a_ticket_and_shows_the_slip(client, floor, clock):
    clock(TUESDAY, 9)
    page = client.get(reverse("floor:kiosk", args=["jc"]))
    assert page.status_code == 200 and "商事登记" in page.content.decode()
    response = client.post(reverse("floor:kiosk_take", args=["JC"]), {"category": C})
    ticket = Ticket.objects.get()
    assert response.url == reverse("floor:ticket", args=["JC", ticket.pk])
    client.post(reverse("floor:kiosk_take", args=["JC"]), {"category": C})
    slip = client.get(reverse("floor:ticket", args=["JC", Ticket.objects.last().pk])).content.decode()
    assert "C002" in slip and "前面还有 1 人" in slip and "预计等候约 6 分钟" in slip


@pytest.mark.parametrize("post", [{"category": "nonsense"}, {"category": ""}, {}])
def test_kiosk_bad_category_says_so_and_issues_nothing(client, floor, clock, post):
    clock(TUESDAY, 9)
    response = client.post(reverse("floor:kiosk_take", args=["JC"]), post, follow=True)
    assert "不设该类别" in response.content.decode()
    assert not Ticket.objects.exists()


def test_kiosk_refuses_a_flood_from_one_address(client, floor, clock, settings):
    """The kiosk needs no login: a script posting from one address meets the limit and gets a plain
    refusal, and no ticket is issued past it; another address is not held up."""
    settings.TONGBAN_KIOSK_TICKETS_PER_MINUTE = 2
    clock(TUESDAY, 9)
    url = reverse("floor:kiosk_take", args=["JC"])
    for _ in range(2):
        client.post(url, {"category": C})
    response = client.post(url, {"category": C}, follow=True)
    assert "取号过于频繁" in response.content.decode()
    assert Ticket.objects.count() == 2
    booking = client.post(reverse("floor:kiosk_booking", args=["JC"]), {"code": "12345678"}, follow=True)
    assert "取号过于频繁" in booking.content.decode()
    client.post(url, {"category": C}, REMOTE_ADDR="10.1.2.3")
    assert Ticket.objects.count() == 3


def test_kiosk_unknown_booking_code(client, floor, clock):
    clock(TUESDAY, 9)
    response = client.post(reverse("floor:kiosk_booking", args=["JC"]), {"code": "12345678"}, follow=True)
    assert "没有找到该预约码" in response.content.decode()
    assert not Ticket.objects.exists()
    assert client.get(reverse("floor:kiosk", args=["ZZ"])).status_code == 404


def _one_ticket_waiting(floor, clock) -> Window:
    """A ticket waits in 江城 on Tuesday morning; the clerk signs in at window 3 (returned)."""
    clock(TUESDAY, 9)
    window = Window.objects.get(hall=floor.halls["JC"], number=3)
    ticket_issue(hall=window.hall, category=C)
    window_sign_in(clerk=floor.clerk, window=window)
    return window


@pytest.mark.parametrize("page", ["floor:board", "floor:screen"])
def test_calling_screen_shows_a_call_at_once(
    client, floor, clock, page, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """The board the screen polls, and the screen page around it (from the page cache), show a call as
    soon as it commits."""
    window = _one_ticket_waiting(floor, clock)
    url = reverse(page, args=["JC"])
    assert "请取号等候" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_call_next(clerk=floor.clerk, window=window)  # drops the cached board on commit
    with django_assert_max_num_queries(4):
        html = client.get(url).content.decode()
    assert "请 C001 号到 3 号窗口" in html and "tongban-board" not in html
    with django_assert_max_num_queries(0):
        client.get(url)  # cached: the board, the hall's id and the page around the board


def test_calling_screen_page(client, floor):
    screen = client.get(reverse("floor:screen", args=["JC"])).content.decode()
    assert 'hx-trigger="every 1s"' in screen and "floor-screen.js" in screen
    assert screen.count('id="board"') == 1 and floor.halls["JC"].name in screen
    assert client.get(reverse("floor:screen", args=["ZZ"])).status_code == 404
    assert client.get(reverse("floor:board", args=["ZZ"])).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "citizen", "approver", "supervisor"])
def test_desk_refuses_everyone_but_window_staff(client, floor, who):
    if who != "anonymous":
        client.force_login(getattr(floor, who))
    response = client.get(reverse("floor:desk"))
    assert response.status_code in (302, 404)
    if who != "anonymous":
        assert response.status_code == 404
        window = Window.objects.get(hall=floor.halls["JC"], number=3)
        assert client.post(reverse("floor:desk_sign_in"), {"window": window.pk}).status_code == 404


def test_clerk_cannot_use_another_halls_window(client, floor):
    client.force_login(floor.other_clerk)
    window = Window.objects.get(hall=floor.halls["JC"], number=3)
    assert client.post(reverse("floor:desk_sign_in"), {"window": window.pk}).status_code == 404


def test_call_without_signing_in_says_so(client, floor, clock):
    clock(TUESDAY, 9)
    ticket_issue(hall=floor.halls["JC"], category=C)
    client.force_login(floor.clerk)
    window = Window.objects.get(hall=floor.halls["JC"], number=3)
    page = client.post(reverse("floor:desk_call"), {"window": window.pk}, follow=True).content.decode()
    assert "尚未登录该窗口" in page
    assert Ticket.objects.get().state == TicketState.WAITING


def test_serving_a_booked_ticket_opens_counter_intake_prefilled_and_the_case_records_it(client, floor, clock):
    version = ItemVersionFactory(materials=0, name="个体工商户设立登记")
    jc = floor.halls["JC"]
    clock(TUESDAY, 10)
    booking = booking_create(
        citizen=floor.citizen,
        hall=jc,
        category=C,
        day=WEDNESDAY,
        starts_at=dt.time(9),
        item_id=version.item_id,
        item_name=version.name,
    )
    clock(WEDNESDAY, 8, 55)
    ticket = ticket_issue_for_booking(hall=jc, code=booking.code)
    client.force_login(floor.clerk)
    window = Window.objects.get(hall=jc, number=3)
    client.post(reverse("floor:desk_sign_in"), {"window": window.pk})
    desk = client.post(reverse("floor:desk_call"), {"window": window.pk}, follow=True).content.decode()
    assert "YC001" in desk
    response = client.post(reverse("floor:desk_ticket", args=[ticket.pk, "serve"]), {"window": window.pk})
    assert response.url == f"{reverse('cases:counter')}?ticket={ticket.pk}"
    response = client.get(response.url)
    assert response.url == f"{reverse('cases:counter_apply', args=[version.item_id])}?ticket={ticket.pk}"
    page = client.get(response.url)
    form = page.context["applicant_form"]
    assert form["id_number"].value() == floor.citizen.id_number and form["real_name"].value() == "张三"
    assert "YC001" in page.content.decode()
    data = {
        "applicant-id_number": floor.citizen.id_number,
        "applicant-real_name": floor.citizen.real_name,
        "applicant-mobile": floor.citizen.mobile,
        "applicant-identity_checked": "on",
        "delivery_method": "pickup",
        "delivery_hall": jc.pk,
    }
    posted = client.post(response.url, data)
    assert posted.status_code == 302, [
        (name, posted.context[name].errors)
        for name in ("applicant_form", "originals_form", "uploads", "delivery_form")
        if name in posted.context
    ]
    case = Case.objects.get()
    assert case.ticket == ticket and case.applicant == floor.citizen
    ticket.refresh_from_db()
    assert ticket.state == TicketState.SERVED and ticket.served_at and ticket.clerk == floor.clerk
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "窗口收件排队号 YC001" in detail


def test_another_clerks_ticket_does_not_prefill(client, floor, clock):
    version = ItemVersionFactory(materials=0)
    clock(TUESDAY, 9)
    jc = floor.halls["JC"]
    ticket = ticket_issue(hall=jc, category=C, id_number=floor.citizen.id_number)
    client.force_login(floor.clerk)
    page = client.get(f"{reverse('cases:counter_apply', args=[version.item_id])}?ticket={ticket.pk}")
    assert page.context["ticket"] is None and not page.context["applicant_form"]["id_number"].value()


def test_booking_page_books_and_my_bookings_cancels(client, floor, clock):
    version = ItemVersionFactory(materials=0)
    clock(TUESDAY, 10)
    url = reverse("items:book", args=[version.item_id])
    assert client.get(url).status_code == 302  # login first
    client.force_login(floor.citizen)
    page = client.get(url, {"hall": "JC", "date": WEDNESDAY.isoformat()}).content.decode()
    assert 'data-slot="09:00"' in page
    response = client.post(url, {"hall": "JC", "date": WEDNESDAY.isoformat(), "starts_at": "09:00"}, follow=True)
    booking = Booking.objects.get()
    assert booking.code in response.content.decode() and booking.item_id == version.item_id
    again = client.post(url, {"hall": "JC", "date": "2026-12-03", "starts_at": "09:00"}, follow=True)
    assert "您已预约过该事项" in again.content.decode() and Booking.objects.count() == 1
    past = client.post(url, {"hall": "JC", "date": TUESDAY.isoformat(), "starts_at": "09:00"}, follow=True)
    assert "不能预约已经开始或已过去的时段" in past.content.decode()
    client.force_login(floor.other_citizen)
    assert client.post(reverse("floor:booking_cancel", args=[booking.pk])).status_code == 404
    client.force_login(floor.citizen)
    client.post(reverse("floor:booking_cancel", args=[booking.pk]))
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED


def test_hours_page_for_the_halls_system_admin_only(client, floor, clock):
    clock(TUESDAY, 10)
    url = reverse("floor:hours", args=["JC"])
    for outsider in (
        floor.clerk,
        floor.citizen,
        User.objects.get(username=staff_username("YD", StaffRole.SYSTEM_ADMIN)),
    ):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(_jc_admin())
    assert client.get(url).status_code == 200
    before = OpeningHours.objects.count()
    bad = client.post(
        url,
        {
            "hours-category": C,
            "hours-day_type": "working_day",
            "hours-starts_at": "18:00",
            "hours-ends_at": "17:00",
            "hours-slot_minutes": 30,
            "hours-capacity": 2,
        },
    )
    assert "结束时间必须晚于开始时间" in bad.content.decode() and OpeningHours.objects.count() == before
    holiday = client.post(
        url,
        {
            "hours-category": C,
            "hours-day_type": "holiday",
            "hours-starts_at": "09:00",
            "hours-ends_at": "10:00",
            "hours-slot_minutes": 30,
            "hours-capacity": 2,
        },
    )
    assert "法定节假日闭厅" in holiday.content.decode() and OpeningHours.objects.count() == before
    booking_create(
        citizen=floor.citizen,
        hall=floor.halls["JC"],
        category=C,
        day=WEDNESDAY,
        starts_at=dt.time(9),
        item_id=1,
        item_name="x",
    )
    page = client.post(
        reverse("floor:day_close", args=["JC"]),
        {"close-date": WEDNESDAY.isoformat(), "close-reason": "停电"},
        follow=True,
    )
    assert "已通知 1 位预约群众" in page.content.decode()
    assert ClosedDay.objects.filter(hall=floor.halls["JC"], date=WEDNESDAY).exists()
    assert Notice.objects.filter(recipient=floor.citizen, kind="booking_hall_closed").exists()


def test_supervisor_page_shows_the_floor_figures(client, floor, clock):
    clock(TUESDAY, 9)
    ticket_issue(hall=floor.halls["JC"], category=C)
    client.force_login(floor.supervisor)
    page = client.get(reverse("cases:supervision")).content.decode()
    assert 'id="floor-figures"' in page and 'data-floor-hall="JC"' in page


def test_admin_sets_the_categories_a_window_calls(client, floor):
    window = Window.objects.get(hall=floor.halls["JC"], number=4)
    url = reverse("floor:window_categories", args=["JC", window.pk])
    client.force_login(floor.clerk)
    assert client.post(url, {"categories": ["social"]}).status_code == 404
    client.force_login(_jc_admin())
    page = client.get(reverse("floor:hours", args=["JC"])).content.decode()
    assert 'id="window-categories"' in page
    client.post(url, {"categories": ["social", "real_estate"]})
    window.seat.refresh_from_db()
    assert window.seat.served_categories == ["real_estate", "social"]
    bad = client.post(url, {"categories": ["nonsense"]}, follow=True).content.decode()
    assert "请至少选择一个有效的窗口类别" in bad
    window.seat.refresh_from_db()
    assert window.seat.served_categories == ["real_estate", "social"]


def test_navbar_links_of_the_floor(client, floor):
    client.force_login(floor.clerk)
    assert reverse("floor:desk") in client.get(reverse("home")).content.decode()
    client.force_login(floor.citizen)
    assert reverse("floor:bookings") in client.get(reverse("home")).content.decode()
    client.force_login(_jc_admin())
    assert reverse("floor:hours", args=["JC"]) in client.get(reverse("home")).content.decode()


def test_booking_page_disables_past_slots_and_says_when_blocked(client, floor, clock):
    from hall.floor.booking import booking_blocked_until

    version = ItemVersionFactory(materials=0)
    clock(TUESDAY, 10)
    client.force_login(floor.citizen)
    page = client.get(reverse("items:book", args=[version.item_id]), {"hall": "JC", "date": TUESDAY.isoformat()})
    html = page.content.decode()
    past = html.split('data-slot="09:00"')[1].split(">")[0]
    later = html.split('data-slot="10:30"')[1].split(">")[0]
    assert "disabled" in past and "disabled" not in later
    Booking.objects.all().delete()
    from hall.models import Slot

    slot = Slot.objects.create(
        hall=floor.halls["JC"], category=C, date=TUESDAY, starts_at=dt.time(8, 30), ends_at=dt.time(9), capacity=9
    )
    for n, days_ago in enumerate((20, 10, 1)):
        day = TUESDAY - dt.timedelta(days=days_ago)
        Booking.objects.create(
            code=f"4444444{n}",
            citizen=floor.citizen,
            hall=slot.hall,
            slot=slot,
            category=C,
            date=day,
            starts_at=slot.starts_at,
            item_id=100 + n,
            item_name="x",
            state=BookingState.NO_SHOW,
        )
    until = booking_blocked_until(floor.citizen)
    html = client.get(reverse("floor:bookings")).content.decode()
    assert f"{until:%Y年%m月%d日}前不能在线预约" in html


def test_walk_in_ticket_goes_through_the_item_picker_with_the_person_prefilled(client, floor, clock):
    version = ItemVersionFactory(materials=0)
    clock(TUESDAY, 9)
    jc = floor.halls["JC"]
    ticket = ticket_issue(hall=jc, category=C, id_number=floor.citizen.id_number)
    window = Window.objects.get(hall=jc, number=3)
    window_sign_in(clerk=floor.clerk, window=window)
    ticket_call_next(clerk=floor.clerk, window=window)
    client.force_login(floor.clerk)
    start = client.post(reverse("floor:desk_ticket", args=[ticket.pk, "serve"]), {"window": window.pk}).url
    page = client.get(start)
    assert page.status_code == 200 and page.context["ticket"] == ticket
    assert f'name="ticket" value="{ticket.pk}"' in page.content.decode()
    picked = client.get(reverse("cases:counter"), {"item": version.item_id, "ticket": ticket.pk})
    assert picked.url == f"{reverse('cases:counter_apply', args=[version.item_id])}?ticket={ticket.pk}"
    form = client.get(picked.url).context["applicant_form"]
    assert form["id_number"].value() == floor.citizen.id_number
