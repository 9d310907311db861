import datetime

import pytest

from hall.constants import StaffRole
from items import services
from tests.factories import AssignmentFactory, StaffFactory

from .factories import ItemVersionFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached catalogue pages and parts must not leak from one test into the next."""
    from django.core.cache import cache as shared_cache

    from hall.pagecache import local

    local.clear()
    shared_cache.clear()
    yield
    local.clear()
    shared_cache.clear()


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
