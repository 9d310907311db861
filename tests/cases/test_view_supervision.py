"""The supervisor's page: counts by level per hall and department and the overdue list, scoped to
the supervisor's regions; other roles and citizens get 404; the supervisor lands on it."""

import datetime as dt

import pytest
from django.urls import reverse

from cases.constants import WarningLevel
from hall.constants import StaffRole
from hall.models import User
from tests.cases.factories import CaseFactory
from tests.items.factories import ItemFactory, ItemVersionFactory

URL = reverse("cases:supervision")
TODAY = dt.date.today()


@pytest.fixture
def clocks(cast):
    def make(level, due_offset, hall="JC", department=None):
        case = CaseFactory(
            submitted=True,
            warning_level=level,
            next_due=TODAY + dt.timedelta(days=due_offset),
            intake_due=TODAY + dt.timedelta(days=due_offset),
            receiving_hall=cast.halls[hall],
        )
        if department is not None:
            case.owning_department = department
            case.save(update_fields=["owning_department"])
        return case

    yd_version = ItemVersionFactory(item=ItemFactory(region=cast.market_yd.region, department=cast.market_yd))
    return {
        "overdue": make(WarningLevel.OVERDUE, -3),
        "overdue2": make(WarningLevel.OVERDUE, -1),
        "red": make(WarningLevel.RED, 0),
        "yellow": make(WarningLevel.YELLOW, 1),
        "green": make(WarningLevel.GREEN, 9),
        "yd_overdue": CaseFactory(
            submitted=True,
            item_version=yd_version,
            receiving_hall=cast.halls["YD"],
            warning_level=WarningLevel.OVERDUE,
            next_due=TODAY - dt.timedelta(days=2),
            intake_due=TODAY - dt.timedelta(days=2),
        ),  # fmt: skip
        "closed": CaseFactory(state="archived", warning_level=WarningLevel.NONE),
    }


def test_supervisor_sees_counts_and_overdue_list_of_their_region(cast, client, clocks):
    client.force_login(cast.supervisor)
    response = client.get(URL)
    assert response.status_code == 200
    totals = response.context["totals"]
    assert (totals["overdue"], totals["red"], totals["yellow"], totals["green"]) == (2, 1, 1, 1)
    halls = {row["receiving_hall__name"]: row for row in response.context["by_hall"]}
    assert set(halls) == {"江城区政务服务中心"} and halls["江城区政务服务中心"]["total"] == 5
    departments = response.context["by_department"]
    assert departments[0]["owning_department__name"] == "江城区市场监督管理局" and departments[0]["overdue"] == 2
    listed = [case.number for case in response.context["page"].object_list]
    assert listed == [clocks["overdue"].number, clocks["overdue2"].number]  # earliest due first
    html = response.content.decode()
    assert "badge-overdue" in html and clocks["yd_overdue"].number not in html


def test_level_filter(cast, client, clocks):
    client.force_login(cast.supervisor)
    response = client.get(URL, {"level": "yellow"})
    assert [c.number for c in response.context["page"].object_list] == [clocks["yellow"].number]
    bad = client.get(URL, {"level": "<script>", "page": "x"})
    assert bad.status_code == 200 and bad.context["level"] == "overdue"


def test_city_supervisor_sees_every_county(cast, client, clocks):
    city_supervisor = User.objects.get(username="yj_supervisor")
    client.force_login(city_supervisor)
    response = client.get(URL)
    assert response.context["totals"]["overdue"] == 3
    assert {row["receiving_hall__name"] for row in response.context["by_hall"]} == {
        "江城区政务服务中心",
        "阳东区政务服务中心",
    }


@pytest.mark.parametrize("who", ["clerk", "approver", "citizen", "catalogue_admin"])
def test_others_get_404(cast, client, who):
    client.force_login(getattr(cast, who))
    assert client.get(URL).status_code == 404


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_supervisor_lands_on_the_page(cast, client):
    assert cast.supervisor.assignments.filter(role=StaffRole.SUPERVISOR).exists()
    client.force_login(cast.supervisor)
    response = client.get(reverse("workbench"))
    assert response.status_code == 302 and response["Location"] == URL


def test_query_count_does_not_grow_with_cases(cast, client, clocks, django_assert_max_num_queries):
    client.force_login(cast.supervisor)
    client.get(URL)
    for offset in range(10):
        CaseFactory(submitted=True, warning_level=WarningLevel.OVERDUE, next_due=TODAY - dt.timedelta(days=offset + 5))
    with django_assert_max_num_queries(15):
        client.get(URL)
