import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from hall.demo import staff_username

pytestmark = pytest.mark.django_db

GOOD_KEY = "k7#QpZ2!vX9mL4@wR8tY1&nB6^cF3*hJ5%dG0(sA)eU-iO=pK+lM~zN" * 2
# Production needs the personal data keys (hall/crypto.py): given here through the environment.
DATA_KEYS = {
    "TONGBAN_DATA_KEYS": '{"current": "k1", "keys": {"k1": "' + "ab" * 16 + '"}, "index_key": "' + "cd" * 32 + '"}'
}


def _check(env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_extra)
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--settings",
            "hall.settings.production",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = _check({"DJANGO_SECRET_KEY": GOOD_KEY, "DJANGO_ALLOWED_HOSTS": "tongban.example", **DATA_KEYS})
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _check({"DJANGO_ALLOWED_HOSTS": "tongban.example"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_pages_carry_a_content_security_policy(client):
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy


def test_forms_carry_csrf_tokens(client):
    for name in ["login", "register", "register_enterprise"]:
        assert "csrfmiddlewaretoken" in client.get(reverse(name)).content.decode()


def test_posts_without_csrf_token_are_refused(cast):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": cast.citizen.mobile, "password": cast.password})
    assert response.status_code == 403
    assert "页面已过期，请重新提交" in response.content.decode()


def test_admin_user_list_masks_id_numbers(client, cast):
    from hall.models import User

    client.force_login(User.objects.get(username=staff_username("YJ", "system_admin")))
    body = client.get("/django-admin/hall/user/").content.decode()
    assert cast.citizen.id_number not in body
    assert cast.citizen.masked_id_number in body
