"""Per-hall receiving modes of an item implementation (ItemVersion.hall_modes): what each hall may do,
how the catalogue editor sets them, and how the service guide shows them."""

import pytest
from django.urls import reverse

from hall.models import Hall
from items.constants import CrossAreaMode, CrossAreaScope, VersionState
from items.forms import VersionForm
from tests.items.factories import ItemVersionFactory
from tests.items.helpers import edit_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(cast):
    """A 江城区 item received at every hall: 代收转交 by default, 代为受理 at 阳东区."""
    return ItemVersionFactory(
        cross_area_scope=CrossAreaScope.CROSS_COUNTY,
        cross_area_mode=CrossAreaMode.RECEIVE_FORWARD,
        hall_modes={"YD": CrossAreaMode.ACCEPT},
    )


def test_mode_for_each_hall(cast, version):
    halls = cast.halls
    assert version.mode_for(halls["JC"]) == ""  # the owning county
    assert version.mode_for(halls["YD"]) == CrossAreaMode.ACCEPT
    assert version.mode_for(halls["YX"]) == CrossAreaMode.RECEIVE_FORWARD
    version.hall_modes = {"YX": "nonsense"}
    assert version.mode_for(halls["YX"]) == CrossAreaMode.RECEIVE_FORWARD


def _bound(version, **overrides):
    version.state = VersionState.DRAFT
    data = edit_post_data(version, **overrides)
    return VersionForm(data, instance=version)


def test_editor_ticks_the_halls_that_accept(cast, version):
    form = VersionForm(instance=version)
    assert set(form.initial["accept_halls"]) == {cast.halls["YD"].pk}
    form = _bound(version, accept_halls=[str(cast.halls["YX"].pk)])
    assert form.is_valid(), form.errors
    assert form.instance.hall_modes == {
        "YJ": CrossAreaMode.RECEIVE_FORWARD,
        "YD": CrossAreaMode.RECEIVE_FORWARD,
        "YX": CrossAreaMode.ACCEPT,
        "YC": CrossAreaMode.RECEIVE_FORWARD,
    }


def test_editor_refuses_an_accepting_hall_that_may_not_receive(cast, version):
    version.receivable_halls.set(Hall.objects.filter(code__in=["JC", "YD"]))
    form = _bound(version, accept_halls=[str(cast.halls["YX"].pk)])
    assert not form.is_valid()
    assert "代为受理的大厅须是可受理大厅" in str(form.errors["accept_halls"])


def test_the_guide_shows_each_halls_mode(client, cast, version):
    body = client.get(reverse("items:guide", args=[version.item_id])).content.decode()
    assert str(CrossAreaMode.ACCEPT.label) in body and str(CrossAreaMode.RECEIVE_FORWARD.label) in body
