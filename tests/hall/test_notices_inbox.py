"""The inbox page: the owner reads and marks read; another user gets 404; GET changes nothing;
the navbar shows the unread count."""

import pytest
from django.urls import reverse

from hall.notices import notice_deliver, notice_queue, unread_count


@pytest.fixture
def delivered(cast):
    notice = notice_queue(
        recipient=cast.citizen, kind="case_accepted", subject="您的申请已受理", body="受理通知书已出具。",
        case_number="JC26112300001",
    )  # fmt: skip
    notice_deliver(notice_id=notice.pk)
    return notice


def test_undelivered_notice_is_not_in_the_inbox(cast, client):
    notice_queue(recipient=cast.citizen, kind="x", subject="尚未发送", body="…")
    client.force_login(cast.citizen)
    assert "尚未发送" not in client.get(reverse("inbox")).content.decode()


def test_owner_sees_notice_and_unread_count(cast, client, delivered):
    client.force_login(cast.citizen)
    html = client.get(reverse("inbox")).content.decode()
    assert "您的申请已受理" in html and "JC26112300001" in html
    assert 'id="unread-count">1<' in html
    detail = client.get(reverse("inbox_detail", args=[delivered.pk]))
    assert "受理通知书已出具" in detail.content.decode()
    assert unread_count(cast.citizen) == 1  # reading the page (GET) changes nothing


def test_mark_read(cast, client, delivered):
    client.force_login(cast.citizen)
    response = client.post(reverse("inbox_mark_read", args=[delivered.pk]))
    assert response.status_code == 302
    delivered.refresh_from_db()
    assert delivered.read_at is not None
    assert 'id="unread-count"' not in client.get(reverse("inbox")).content.decode()


def test_mark_all_read(cast, client, delivered):
    client.force_login(cast.citizen)
    client.post(reverse("inbox_mark_all_read"))
    assert unread_count(cast.citizen) == 0


@pytest.mark.parametrize("who", ["other_citizen", "clerk"])
def test_others_get_404(cast, client, delivered, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("inbox_detail", args=[delivered.pk])).status_code == 404
    assert client.post(reverse("inbox_mark_read", args=[delivered.pk])).status_code == 404
    delivered.refresh_from_db()
    assert delivered.read_at is None


def test_mark_read_needs_post(cast, client, delivered):
    client.force_login(cast.citizen)
    assert client.get(reverse("inbox_mark_read", args=[delivered.pk])).status_code == 405


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("inbox"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_inbox(cast, client):
    notice = notice_queue(recipient=cast.clerk, kind="clock_warning", subject="【临期提醒】受理审查期限预警", body="…")
    notice_deliver(notice_id=notice.pk)
    client.force_login(cast.clerk)
    assert "受理审查期限预警" in client.get(reverse("inbox")).content.decode()
