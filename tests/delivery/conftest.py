"""Fixtures for delivery tests: files go to a fresh folder; the cast gets the result clerks and the
archivist of the demo organisation."""

import pytest

from hall.constants import StaffRole
from hall.demo import staff_username
from hall.models import User


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def window(cast):
    """The result clerks of 江城区 (JC), the city hall (YJ) and 阳东区 (YD), and the archivists."""
    cast.result_yj = User.objects.get(username=staff_username("YJ", StaffRole.RESULT_CLERK))
    cast.result_yd = User.objects.get(username=staff_username("YD", StaffRole.RESULT_CLERK))
    cast.archivist = User.objects.get(username=staff_username("JC", StaffRole.ARCHIVIST))
    cast.archivist_yd = User.objects.get(username=staff_username("YD", StaffRole.ARCHIVIST))
    return cast
