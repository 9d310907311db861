import pytest
from django.urls import reverse

from hall.constants import StaffRole
from hall.demo import staff_username
from hall.models import User
from hall.views.portal import ROLE_HOME

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", StaffRole.values)
def test_each_role_lands_on_its_own_workbench(client, demo, role):
    client.force_login(User.objects.get(username=staff_username("JC", role)))
    response = client.get(reverse("workbench"))
    assert response.status_code == 302
    target = response["Location"]
    if ROLE_HOME[role] == "workbench_role":
        assert target == reverse("workbench_role", kwargs={"role": role})
    else:
        assert target == reverse(ROLE_HOME[role])
    assert client.get(target).status_code == 200


def test_citizen_lands_on_my_cases(client, cast):
    client.force_login(cast.citizen)
    response = client.get(reverse("workbench"), follow=True)
    assert response.status_code == 200
    assert "我的办事" in response.content.decode()


def test_a_role_the_user_does_not_hold_is_not_found(client, cast):
    client.force_login(cast.clerk)
    assert client.get(reverse("workbench_role", kwargs={"role": "supervisor"})).status_code == 404
    client.force_login(cast.citizen)
    assert client.get(reverse("workbench_role", kwargs={"role": "window_clerk"})).status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("workbench"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_navbar_links_each_role_to_its_own_workbench(client, cast):
    from hall.views.portal import role_home_url

    client.force_login(cast.supervisor)
    body = client.get(reverse("home")).content.decode()
    assert f'href="{role_home_url(StaffRole.SUPERVISOR)}"' in body
