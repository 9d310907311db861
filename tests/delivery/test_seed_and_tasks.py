"""The demo results command (idempotent, every step represented), the beat tasks' services and the
certificate states."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.constants import CaseState, EventKind
from cases.services import event_record
from delivery import services as delivery
from delivery.constants import CertificateState, OrderState
from delivery.models import ArchivePackage, Certificate, DeliveryOrder
from tests.items.factories import ItemVersionFactory

from .helpers import granted_case, produced

pytestmark = pytest.mark.django_db


def test_seed_delivery_twice(cast):
    call_command("seed_catalogue", verbosity=0)
    call_command("seed_cases")
    call_command("seed_delivery")
    states = set(DeliveryOrder.objects.values_list("state", flat=True))
    assert {OrderState.AT_WINDOW, OrderState.HANDED, OrderState.AVAILABLE, OrderState.DELIVERED} <= states
    assert DeliveryOrder.objects.filter(hall__code="YJ", state=OrderState.AT_WINDOW).exists()
    assert ArchivePackage.objects.count() == 1
    count = DeliveryOrder.objects.count()
    call_command("seed_delivery")
    assert DeliveryOrder.objects.count() == count


def test_certificates_expire_and_are_revoked_with_the_grant(cast):
    case = granted_case(cast)
    produced(cast, case, valid_until=timezone.localdate() + datetime.timedelta(days=30))
    other = granted_case(cast, ItemVersionFactory(result_name="食品经营许可证"))  # another kind: not superseding
    produced(cast, other)
    assert delivery.certificates_refresh() == {"expired": 0, "revoked": 0}
    later = timezone.localdate() + datetime.timedelta(days=31)
    assert delivery.certificates_refresh(today=later)["expired"] == 1
    event_record(case=other, kind=EventKind.GRANT_REVOKED, actor=cast.approver, note="承诺不实")
    assert delivery.certificates_refresh()["revoked"] == 1
    states = dict(Certificate.objects.values_list("case_id", "state"))
    assert states == {case.pk: CertificateState.EXPIRED, other.pk: CertificateState.REVOKED}


def test_delivery_clock_runs_from_the_decision_and_stops_at_delivery(cast):
    from hall.workdays import add_working_days

    from .helpers import picked_up

    case = granted_case(cast)
    assert case.delivery_due == add_working_days(timezone.localdate(case.decided_at), 10)
    assert case.next_due == case.delivery_due and case.warning_level != "none"
    picked_up(cast, case)
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED and case.next_due is None and case.warning_level == "none"
