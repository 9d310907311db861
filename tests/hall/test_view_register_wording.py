"""Registration speaks the citizen's words, has a heading, and keeps what was typed where safe."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

GOOD_ID = "11010519491231002X"


def _post(client, **overrides):
    data = {
        "real_name": "王小明",
        "id_number": GOOD_ID,
        "mobile": "13912345678",
        "password1": "Qingshui#River9",
        "password2": "Qingshui#River9",
    }
    data.update(overrides)
    return client.post(reverse("register"), data)


def test_register_page_has_a_heading(client, demo):
    body = client.get(reverse("register")).content.decode()
    assert '<h1 class="h4 mb-3">个人注册</h1>' in body
    assert "<h1" in client.get(reverse("register_enterprise")).content.decode()


def test_password_like_the_mobile_is_refused_without_speaking_of_a_username(client, demo):
    response = _post(client, password1="13912345678a", password2="13912345678a")
    body = response.content.decode()
    assert response.status_code == 200
    assert "用户名" not in body
    assert "手机号或身份证号太相似" in body


def test_passwords_are_kept_after_an_error_elsewhere(client, demo):
    body = _post(client, id_number="110105194912310021").content.decode()  # wrong check digit
    assert "身份证号" in body
    assert 'value="Qingshui#River9"' in body


def test_a_refused_password_is_not_sent_back(client, demo):
    body = _post(client, password2="Different#Pass1").content.decode()
    assert "两次输入的密码不一致" in body
    assert "Qingshui#River9" not in body
