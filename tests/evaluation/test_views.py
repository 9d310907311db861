"""The pages: who sees what (outsiders get 404), the rating forms with their refusals next to the
field, the window tablet, the tickets' steps, supervision and the assessment, with bounded queries."""

import pytest
from django.urls import reverse

from evaluation.constants import TicketState
from evaluation.models import Rating, RatingDevice, RatingToken, RectificationTicket
from hall.models import Window

from .helpers import counter_service, delivered_case, rate

pytestmark = pytest.mark.django_db


def login(client, user, cast):
    client.force_login(user)


def test_token_page_rates_without_login(client, cast):
    service = counter_service(cast)
    token = RatingToken.objects.get(service=service)
    url = reverse("evaluation:rate_token", args=[token.token])
    page = client.get(url)
    assert page.status_code == 200 and "请对本次服务作出评价" in page.content.decode()
    response = client.post(url + "?via=qr", {"level": "2", "tags": ["2-04"], "text": "不错"})
    assert response.status_code == 302 and response["Location"] == reverse("evaluation:thanks")
    rating = Rating.objects.get()
    assert rating.channel == "qr" and rating.level == 2 and rating.rater == cast.citizen


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"level": "9"}, "level", "评价等级不存在"),
        ({"level": "4", "tags": ["1-01"]}, "tags", "不属于“不满意”"),
        ({"level": "4", "tags": ["4-77"]}, "tags", "不存在"),
        ({"level": "2", "text": "长" * 151}, "text", "不能超过150个字"),
        ({"level": "4"}, "tags", "请至少选择一个标签"),
        ({}, "level", "请选择评价等级"),
    ],
)
def test_token_page_shows_refusals_next_to_the_field(client, cast, data, field, message):
    token = RatingToken.objects.get(service=counter_service(cast))
    response = client.post(reverse("evaluation:rate_token", args=[token.token]), data)
    assert response.status_code == 400
    assert message in response.content.decode() and f'id="error-{field}"' in response.content.decode()
    assert not Rating.objects.exists()
    token.refresh_from_db()
    assert token.used_at is None


def test_forged_and_used_tokens_get_a_plain_refusal(client, cast):
    assert "评价链接无效" in client.get(reverse("evaluation:rate_token", args=["nope"])).content.decode()
    service = counter_service(cast)
    token = RatingToken.objects.get(service=service)
    url = reverse("evaluation:rate_token", args=[token.token])
    client.post(url, {"level": "1"})
    again = client.post(url, {"level": "1"})
    assert again.status_code == 400 and "已使用过" in again.content.decode()
    assert Rating.objects.count() == 1


def test_applicant_rates_from_the_case_page(client, cast):
    case, _event = delivered_case(cast)
    client.force_login(cast.citizen)
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="case-ratings"' in detail and "去评价" in detail
    assert detail.count('class="rating-qr') == 2  # the pickup and the matter: a QR code each
    matter = case and RatingToken.objects.filter(service__case=case, service__kind="matter").get().service
    response = client.post(reverse("evaluation:rate_service", args=[matter.pk]), {"level": "1", "tags": ["1-04"]})
    assert response.status_code == 302
    assert Rating.objects.get().service == matter


def test_someone_elses_service_page_is_404(client, cast):
    service = counter_service(cast)
    for user in (cast.other_citizen, cast.clerk):
        client.force_login(user)
        url = reverse("evaluation:rate_service", args=[service.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"level": "1"}).status_code == 404
    assert not Rating.objects.exists()


def test_tablet_shows_the_service_just_finished_at_its_window(client, cast):
    window = cast.clerk.assignments.get().window
    device = RatingDevice.objects.create(window=window, name="3号窗口评价器")
    other = RatingDevice.objects.create(window=Window.objects.get(hall=cast.halls["YD"], number=3))
    url = reverse("evaluation:tablet", args=[device.key])
    assert "欢迎评价" in client.get(url).content.decode()
    service = counter_service(cast)
    page = client.get(url).content.decode()
    assert cast.clerk.real_name in page and 'src="data:image/svg+xml' in page
    assert "欢迎评价" in client.get(reverse("evaluation:tablet", args=[other.key])).content.decode()
    token = RatingToken.objects.get(service=service, channel="tablet")
    response = client.post(
        reverse("evaluation:rate_token", args=[token.token]),
        {"level": "4", "tags": ["4-05", "4-08"], "device": device.key},
    )
    assert response.status_code == 302 and response["Location"] == url
    rating = Rating.objects.get()
    assert rating.channel == "tablet" and rating.rater == cast.citizen
    assert "欢迎评价" in client.get(url).content.decode()  # rated: the tablet waits for the next one
    assert client.get(reverse("evaluation:tablet", args=["unknown"])).status_code == 404


def _bad(cast):
    rate(counter_service(cast), 4)
    return RectificationTicket.objects.get()


def test_ticket_pages_refuse_outsiders(client, cast):
    ticket = _bad(cast)
    for outsider in (cast.citizen, cast.other_citizen, cast.other_approver, cast.other_clerk):
        client.force_login(outsider)
        assert client.get(reverse("evaluation:ticket", args=[ticket.pk])).status_code == 404
        post = client.post(reverse("evaluation:call_back", args=[ticket.pk]), {"note": "x"})
        assert post.status_code == 404
    assert f'data-ticket="{ticket.pk}"' not in client.get(reverse("evaluation:tickets")).content.decode()
    client.force_login(cast.citizen)
    assert client.get(reverse("evaluation:tickets")).status_code == 404
    ticket.refresh_from_db()
    assert ticket.called_back_at is None


def test_department_records_call_back_and_fix(client, cast):
    ticket = _bad(cast)
    client.force_login(cast.approver)
    listing = client.get(reverse("evaluation:tickets")).content.decode()
    assert f'data-ticket="{ticket.pk}"' in listing and f"{ticket.next_due:%Y-%m-%d}" in listing
    early = client.post(reverse("evaluation:rectify", args=[ticket.pk]), {"outcome": "fixed", "note": "已整改"})
    assert early.status_code == 400 and "须先回访评价人" in early.content.decode()
    assert client.post(reverse("evaluation:call_back", args=[ticket.pk]), {"note": "已回访"}).status_code == 302
    assert (
        client.post(reverse("evaluation:rectify", args=[ticket.pk]), {"outcome": "fixed", "note": "已整改"}).status_code
        == 302
    )
    ticket.refresh_from_db()
    assert ticket.state == TicketState.RECTIFIED
    assert client.get(reverse("evaluation:call_back", args=[ticket.pk])).status_code == 405


def test_supervisor_decides_the_appeal(client, cast):
    ticket = _bad(cast)
    client.force_login(cast.approver)
    client.post(reverse("evaluation:appeal", args=[ticket.pk]), {"reason": "误评"})
    denied = client.post(reverse("evaluation:appeal_decide", args=[ticket.pk]), {"decision": "upheld", "reasons": "x"})
    assert denied.status_code == 404
    client.force_login(cast.supervisor)
    page = client.get(reverse("evaluation:ticket", args=[ticket.pk])).content.decode()
    assert 'id="decide-form"' in page
    client.post(reverse("evaluation:appeal_decide", args=[ticket.pk]), {"decision": "upheld", "reasons": "查实误评"})
    ticket.refresh_from_db()
    assert ticket.state == TicketState.VOIDED


def test_supervision_page_and_assessment(client, cast, django_assert_max_num_queries):
    for _ in range(3):
        _ = rate(counter_service(cast), 4)
    client.force_login(cast.supervisor)
    url = reverse("evaluation:supervision")
    client.get(url)
    with django_assert_max_num_queries(25):
        page = client.get(url, {"unit": "clerk"}).content.decode()
    assert 'data-count="open">3<' in page and cast.clerk.real_name in page and "未归零" in page
    for unit in ("window", "department", "hall"):
        assert client.get(url, {"unit": unit}).status_code == 200
    assessment = client.get(reverse("evaluation:assessment")).content.decode()
    assert f'data-clerk="{cast.clerk.pk}"' in assessment
    row = assessment.split(f'data-clerk="{cast.clerk.pk}"')[1].split("</tr>")[0]
    assert '<td class="text-end">3</td>' in row
    csv = client.get(reverse("evaluation:assessment"), {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and cast.clerk.real_name in csv.content.decode("utf-8-sig")
    for outsider in (cast.approver, cast.citizen, cast.clerk):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.get(reverse("evaluation:assessment")).status_code == 404


def test_ticket_list_queries_do_not_grow(client, cast, django_assert_max_num_queries):
    _bad(cast)
    client.force_login(cast.approver)
    url = reverse("evaluation:tickets")
    client.get(url)
    with django_assert_max_num_queries(14) as first:
        client.get(url)
    for _ in range(5):
        rate(counter_service(cast), 5)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_invitation_link_after_rating_elsewhere_says_so(client, cast):
    service = counter_service(cast)
    token = RatingToken.objects.get(service=service)
    rate(service, 1)
    page = client.get(reverse("evaluation:rate_token", args=[token.token])).content.decode()
    assert "您已评价：非常满意" in page and 'id="rating-form"' not in page


def test_supervision_queries_do_not_grow(client, cast, django_assert_max_num_queries):
    _bad(cast)
    client.force_login(cast.supervisor)
    url = reverse("evaluation:supervision")
    client.get(url)
    with django_assert_max_num_queries(30) as first:
        client.get(url, {"unit": "window"})
    for level in (4, 5, 4, 5):
        rate(counter_service(cast), level)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url, {"unit": "window"})
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("evaluation:assessment"))
