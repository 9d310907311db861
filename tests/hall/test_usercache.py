"""Every page's fixed part from the shared cache (hall/usercache.py, the second factor's device): one
query for the account, and each cached fact dropped by the write that changes it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hall.constants import StaffRole
from hall.models import StaffAssignment
from hall.notices import notice_deliver, notice_queue

pytestmark = pytest.mark.django_db


def inbox_html(client) -> str:
    return client.get(reverse("inbox")).content.decode()


def test_the_fixed_part_costs_one_query_once_cached(client, cast):
    client.force_login(cast.clerk)
    client.get(reverse("hall_security:account"))  # fills the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("hall_security:account")).status_code == 200
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "hall_staffassignment" not in tables and "hall_notice" not in tables


def test_unread_count_follows_delivery_and_reading(client, cast):
    client.force_login(cast.citizen)
    assert 'id="unread-count"' not in inbox_html(client)  # cached: none unread
    notice = notice_queue(recipient=cast.citizen, kind="x", subject="已受理", body="…")
    notice_deliver(notice_id=notice.pk)
    assert 'id="unread-count">1<' in inbox_html(client)
    client.post(reverse("inbox_mark_read", args=[notice.pk]))
    assert 'id="unread-count"' not in inbox_html(client)


def test_a_new_or_removed_assignment_shows_at_once(client, cast):
    client.force_login(cast.clerk)
    assert 'data-nav="extensions"' not in inbox_html(client)
    assignment = StaffAssignment.objects.create(user=cast.clerk, role=StaffRole.AGENCY_HEAD, hall=cast.halls["JC"])
    assert 'data-nav="extensions"' in inbox_html(client)
    assignment.delete()
    assert 'data-nav="extensions"' not in inbox_html(client)


def test_a_renamed_hall_shows_at_once(client, cast):
    client.force_login(cast.admin)
    hall = cast.admin.assignments.get(role=StaffRole.SYSTEM_ADMIN).hall
    assert f"{hall.name}开放时间" in inbox_html(client)
    hall.name = "阳江市新政务服务中心"
    hall.save()
    assert "阳江市新政务服务中心开放时间" in inbox_html(client)


def test_a_removed_device_ends_the_second_factor_of_its_sessions(client, cast, settings):
    settings.TONGBAN_OTP_TEST_SESSIONS = False
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = TOTPDevice.objects.create(user=cast.clerk, name="动态口令", confirmed=True)
    client.post(reverse("login"), {"username": cast.clerk.username, "password": cast.password})
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, drift=0):06d}"
    client.post(reverse("hall_security:otp_verify"), {"code": code})
    assert client.get(reverse("cases:clerk_workbench")).status_code == 200  # the device is cached now
    device.delete()
    response = client.get(reverse("cases:clerk_workbench"))
    assert response.status_code == 302 and "/security/otp/" in response["Location"]


def test_the_navbar_lists_each_link_once(client, cast):
    StaffAssignment.objects.create(user=cast.approver, role=StaffRole.APPROVER, hall=cast.halls["YD"])
    client.force_login(cast.approver)
    html = inbox_html(client)
    assert html.count('data-nav="commitment-checks"') == 1 and html.count('data-nav="production"') == 1
    assert 'value="/inbox/"' in html and 'name="csrfmiddlewaretoken"' in html
