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
    for _ in range(settings.TONGBAN_LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": cast.citizen.mobile, "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": cast.citizen.mobile, "password": cast.password})
    assert response.status_code == 403
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_another_account_is_not_locked_by_someone_elses_failures(client, cast, settings):
    for _ in range(settings.TONGBAN_LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": cast.citizen.mobile, "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": cast.other_citizen.mobile, "password": cast.password})
    assert response.status_code == 302


def _fail(client, typed, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": typed, "password": "wrong-password"}, REMOTE_ADDR=address)


def test_the_lock_follows_the_account_whichever_identifier_is_typed(client, cast, settings):
    citizen = cast.citizen
    spellings = [
        citizen.mobile,
        citizen.id_number,
        citizen.id_number.lower(),
        citizen.id_number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")),
        " ".join(citizen.mobile),
    ]
    for index in range(settings.TONGBAN_LOGIN_FAILURE_LIMIT):
        _fail(client, spellings[index % len(spellings)], address=f"10.0.0.{index + 1}")
    for typed in (citizen.mobile, citizen.id_number.lower()):
        response = client.post(reverse("login"), {"username": typed, "password": cast.password}, REMOTE_ADDR="10.9.9.9")
        assert response.status_code == 403 and "登录失败次数过多" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_one_address_trying_account_after_account_is_locked(client, cast, settings):
    settings.TONGBAN_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for n in range(6):
        _fail(client, f"1390000{n:04d}", address="10.1.1.1")
    response = client.post(
        reverse("login"), {"username": cast.other_citizen.mobile, "password": cast.password}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 403
    # Another address is not affected.
    response = client.post(
        reverse("login"), {"username": cast.other_citizen.mobile, "password": cast.password}, REMOTE_ADDR="10.2.2.2"
    )
    assert response.status_code == 302


def test_a_success_clears_the_accounts_failures(client, cast, settings):
    for _ in range(settings.TONGBAN_LOGIN_FAILURE_LIMIT - 1):
        _fail(client, cast.citizen.id_number.lower())
    assert (
        client.post(reverse("login"), {"username": cast.citizen.mobile, "password": cast.password}).status_code == 302
    )
    client.logout()
    _fail(client, cast.citizen.mobile)
    assert (
        client.post(reverse("login"), {"username": cast.citizen.mobile, "password": cast.password}).status_code == 302
    )
