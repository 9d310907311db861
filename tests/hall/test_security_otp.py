"""Two factors for staff (TOTP + recovery codes), session limits, and ending sessions."""

import time

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from hall.constants import SecurityEventKind
from hall.models import SecurityEvent
from hall.security.otp import otp_reset

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def real_second_factor(settings):
    """These tests check the second factor itself: force_login sessions are not trusted here."""
    settings.TONGBAN_OTP_TEST_SESSIONS = False
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code_at(device, offset_steps=0) -> str:
    now = time.time() + offset_steps * device.step
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift=0) if not offset_steps else _at(device, now):06d}"


def _at(device, when):
    from django_otp.oath import TOTP

    t = TOTP(device.bin_key, device.step, device.t0, device.digits)
    t.time = when
    return t.token()


def password_login(client, user, password):
    response = client.post(reverse("login"), {"username": user.username, "password": password})
    assert response.status_code == 302
    return client.get(reverse("workbench"))


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True)


def test_staff_with_password_alone_reaches_nothing(client, cast):
    response = password_login(client, cast.clerk, cast.password)
    assert response.status_code == 302 and reverse("hall_security:otp_enrol") in response["Location"]
    assert client.get(reverse("cases:clerk_workbench")).status_code == 302
    assert client.get(reverse("hall_security:account")).status_code == 302


def test_enrolment_with_qr_then_login_with_code(client, cast):
    password_login(client, cast.clerk, cast.password)
    page = client.get(reverse("hall_security:otp_enrol"))
    assert page.status_code == 200 and b"data:image/" in page.content
    device = TOTPDevice.objects.get(user=cast.clerk, confirmed=False)
    assert client.post(reverse("hall_security:otp_enrol"), {"code": "000000"}).status_code == 200
    response = client.post(reverse("hall_security:otp_enrol"), {"code": code_at(device), "next": "/cases/desk/"})
    assert response.status_code == 302 and reverse("hall_security:recovery_codes") in response["Location"]
    codes = client.get(response["Location"]).context["codes"]
    assert len(codes) == 10
    assert client.get(reverse("hall_security:recovery_codes")).status_code == 302  # shown once
    assert client.get(reverse("cases:clerk_workbench")).status_code == 200
    assert SecurityEvent.objects.filter(user=cast.clerk, kind=SecurityEventKind.OTP_ENROLLED).exists()

    client.logout()
    response = password_login(client, cast.clerk, cast.password)
    assert reverse("hall_security:otp_verify") in response["Location"]
    device.refresh_from_db()
    device.last_t = -1  # the enrolment used this step; a new step is a new code
    device.save()
    good = client.post(reverse("hall_security:otp_verify"), {"code": code_at(device), "next": "/cases/desk/"})
    assert good.status_code == 302 and good["Location"] == "/cases/desk/"
    assert client.get(reverse("cases:clerk_workbench")).status_code == 200


def test_wrong_replayed_and_expired_codes_are_refused(client, cast):
    device = enrolled(cast.clerk)
    password_login(client, cast.clerk, cast.password)
    verify = reverse("hall_security:otp_verify")
    wrong = client.post(verify, {"code": "123456" if code_at(device) != "123456" else "654321"})
    assert wrong.status_code == 200 and "动态口令不正确" in wrong.content.decode()
    expired = client.post(verify, {"code": _at(device, time.time() - 3 * device.step)})
    assert expired.status_code == 200
    code = code_at(device)
    assert client.post(verify, {"code": code}).status_code == 302
    # The same code again, in another browser: a replay.
    other = type(client)()
    password_login(other, cast.clerk, cast.password)
    replay = other.post(verify, {"code": code})
    assert replay.status_code == 200
    assert other.get(reverse("cases:clerk_workbench")).status_code == 302
    assert SecurityEvent.objects.filter(user=cast.clerk, kind=SecurityEventKind.OTP_FAILED).count() == 3


def test_recovery_code_works_once(client, cast):
    enrolled(cast.clerk)
    from hall.security.otp import recovery_codes_new

    codes = recovery_codes_new(cast.clerk)
    password_login(client, cast.clerk, cast.password)
    assert client.post(reverse("hall_security:otp_verify"), {"code": codes[0]}).status_code == 302
    client.logout()
    password_login(client, cast.clerk, cast.password)
    assert client.post(reverse("hall_security:otp_verify"), {"code": codes[0]}).status_code == 200
    assert StaticDevice.objects.get(user=cast.clerk).token_set.count() == 9


def test_citizen_may_opt_in_and_then_needs_the_code(client, cast):
    client.force_login(cast.citizen)
    assert client.get(reverse("hall_security:account")).status_code == 200
    client.get(reverse("hall_security:otp_enrol"))
    device = TOTPDevice.objects.get(user=cast.citizen, confirmed=False)
    assert client.post(reverse("hall_security:otp_enrol"), {"code": code_at(device)}).status_code == 302
    client.logout()
    client.force_login(cast.citizen)
    response = client.get(reverse("workbench"))
    assert response.status_code == 302 and reverse("hall_security:otp_verify") in response["Location"]


def test_admin_resets_with_a_record_and_staff_cannot_disable(client, cast):
    enrolled(cast.clerk)
    with pytest.raises(PermissionDenied):
        otp_reset(admin=cast.supervisor, user=cast.clerk, reason="手机遗失")
    otp_reset(admin=cast.admin, user=cast.clerk, reason="手机遗失，已当面核实")
    assert not TOTPDevice.objects.filter(user=cast.clerk).exists()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.OTP_RESET)
    assert event.actor == cast.admin and event.user == cast.clerk and "手机遗失" in event.detail["reason"]
    device = enrolled(cast.clerk)
    client.force_login(cast.clerk)
    client.post(reverse("hall_security:otp_verify"), {"code": code_at(device)})
    assert client.post(reverse("hall_security:otp_disable")).status_code == 403
    assert TOTPDevice.objects.filter(user=cast.clerk).exists()


def test_staff_session_idle_and_lifetime_limits(client, cast, settings):
    settings.TONGBAN_OTP_TEST_SESSIONS = True
    client.force_login(cast.clerk)
    assert client.get(reverse("cases:clerk_workbench")).status_code == 200
    session = client.session
    session["sec_seen"] = time.time() - 31 * 60
    session.save()
    response = client.get(reverse("cases:clerk_workbench"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("cases:clerk_workbench")).status_code == 302  # logged out
    client.force_login(cast.clerk)
    session = client.session
    session["sec_started"] = time.time() - 13 * 3600
    session.save()
    assert client.get(reverse("cases:clerk_workbench")).status_code == 302
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.SESSION_EXPIRED, user=cast.clerk).count() == 2


def test_citizen_session_has_no_idle_limit(client, cast, settings):
    client.force_login(cast.citizen)
    session = client.session
    session["sec_seen"] = time.time() - 3 * 3600
    session.save()
    assert client.get(reverse("hall_security:account")).status_code == 200


def test_end_all_sessions_and_password_change_end_the_others(client, cast, settings):
    settings.TONGBAN_OTP_TEST_SESSIONS = True
    phone, desk = type(client)(), type(client)()
    phone.force_login(cast.clerk)
    desk.force_login(cast.clerk)
    time.sleep(0.01)
    response = desk.post(
        reverse("hall_security:password_change"),
        {"old_password": cast.password, "new_password1": "Qz7!long-new-pass", "new_password2": "Qz7!long-new-pass"},
    )
    assert response.status_code == 302
    assert desk.get(reverse("cases:clerk_workbench")).status_code == 200
    assert phone.get(reverse("cases:clerk_workbench")).status_code == 302
    desk.post(reverse("hall_security:sessions_end"))
    assert desk.get(reverse("cases:clerk_workbench")).status_code == 302


def test_test_sessions_setting_refused_in_production(monkeypatch):
    import importlib
    import sys

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv(
        "TONGBAN_DATA_KEYS", '{"current":"k1","keys":{"k1":"' + "00" * 16 + '"},"index_key":"' + "11" * 32 + '"}'
    )
    sys.modules.pop("hall.settings.production", None)
    production = importlib.import_module("hall.settings.production")
    assert production.TONGBAN_OTP_TEST_SESSIONS is False and production.TONGBAN_DEMO_TOTP_SECRET == ""
    assert production.TONGBAN_CRYPTO_DEV_KEYS is False
    with pytest.raises(ImproperlyConfigured):
        monkeypatch.setattr("hall.settings.base.TONGBAN_OTP_TEST_SESSIONS", True)
        sys.modules.pop("hall.settings.production", None)
        importlib.import_module("hall.settings.production")
    sys.modules.pop("hall.settings.production", None)
