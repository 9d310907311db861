import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("login_with", ["mobile", "id_number"])
def test_citizen_logs_in_with_mobile_or_id_number(client, cast, login_with):
    response = client.post(reverse("login"), {"username": getattr(cast.citizen, login_with), "password": cast.password})
    assert response.status_code == 302
    assert client.get(reverse("workbench")).status_code == 200


def test_wrong_password_gets_a_plain_message(client, cast):
    response = client.post(reverse("login"), {"username": cast.citizen.mobile, "password": "wrong-password"})
    assert response.status_code == 200
    assert "账号或密码不正确" in response.content.decode()


def test_repeated_failures_lock_the_account(client, cast, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": cast.citizen.mobile, "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": cast.citizen.mobile, "password": cast.password})
    assert response.status_code == 403
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_another_account_is_not_locked_by_someone_elses_failures(client, cast, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": cast.citizen.mobile, "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": cast.other_citizen.mobile, "password": cast.password})
    assert response.status_code == 302
