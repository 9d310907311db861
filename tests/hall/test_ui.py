import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_chinese_by_default(client):
    body = client.get(reverse("home")).content.decode()
    assert 'lang="zh-hans"' in body and "登录" in body


def test_language_switch_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in body and "Log in" in body


def test_large_text_mode_persists(client):
    response = client.post(reverse("toggle_large_text"), {"next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert response.cookies["tb_large_text"]["max-age"] == 365 * 24 * 3600
    assert 'class="large-text"' in client.get(reverse("login")).content.decode()
    client.post(reverse("toggle_large_text"), {"next": "/"})
    assert 'class="large-text"' not in client.get(reverse("home")).content.decode()


def test_large_text_refuses_offsite_redirects(client):
    response = client.post(reverse("toggle_large_text"), {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_every_field_is_labelled(client):
    body = client.get(reverse("register")).content.decode()
    for field in ["real_name", "id_number", "mobile", "password1", "password2"]:
        assert f'for="id_{field}"' in body


def test_browser_language_does_not_override_chinese(client):
    body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in body
