import datetime

import pytest

from hall.constants import StaffRole
from items import services
from tests.factories import AssignmentFactory, StaffFactory

from .factories import ItemVersionFactory


@pytest.fixture(autouse=True)
def _empty_cache(monkeypatch):
    """Cached catalogue pages must not leak from one test into the next, and the generation is
    not re-read from the database in the middle of a test (query counts stay exact)."""
    import time

    from items import cache as catalogue_cache
    from items.cache import cache

    cache.clear()
    monkeypatch.setattr(catalogue_cache, "CHECK_SECONDS", 10**9)
    monkeypatch.setitem(catalogue_cache._last, "generation", 0)
    monkeypatch.setitem(catalogue_cache._last, "checked", time.monotonic())
    yield
    cache.clear()


@pytest.fixture
def reviewers(cast):
    """Two catalogue admins who may review 江城区 items: the city's (yj_catalogue) and a second
    江城区 colleague, so that filing, legal review and catalogue review are three people."""
    from hall.demo import staff_username
    from hall.models import User

    city = User.objects.get(username=staff_username("YJ", StaffRole.CATALOGUE_ADMIN))
    colleague = StaffFactory(username="jc_catalogue2", real_name="江城目录审核员")
    AssignmentFactory(user=colleague, role=StaffRole.CATALOGUE_ADMIN, hall=cast.halls["JC"], department=cast.market_jc)
    return city, colleague


@pytest.fixture
def published(cast):
    return ItemVersionFactory(name="食品经营许可", statutory_days=20, promised_days=10)


@pytest.fixture
def change_of(cast):
    def make(version, kind="change", **kwargs):
        return services.change_create(
            user=cast.catalogue_admin,
            kind=kind,
            cause="law_revised",
            cause_note="《食品经营许可和备案管理办法》修订",
            cause_date=datetime.date.today() - datetime.timedelta(days=3),
            item=version.item,
            **kwargs,
        )

    return make
