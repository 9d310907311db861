"""The delivery app's beat tasks against a real worker: an electronic result whose notice was read is
delivered (with its proof of delivery), and certificates past their end date expire."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.constants import CaseState, DeliveryMethod
from delivery.constants import CertificateState, OrderState
from delivery.models import Certificate, DeliveryOrder
from delivery.tasks import certificate_states_refresh, electronic_delivery_scan
from hall.models import Notice
from tests.delivery.helpers import granted_case, produced

from .conftest import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_electronic_delivery_scan_on_the_worker(cast, worker_factory, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    case = granted_case(cast, method=DeliveryMethod.ELECTRONIC)
    order = produced(cast, case)
    Notice.objects.filter(pk=order.notice_id).update(read_at=timezone.now())
    worker_factory(TONGBAN_MEDIA_ROOT=str(tmp_path / "media")).start()
    electronic_delivery_scan.delay()
    wait_for(lambda: DeliveryOrder.objects.get(pk=order.pk).state == OrderState.DELIVERED, message="the delivery")
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED


def test_certificate_states_refresh_on_the_worker(cast, worker_factory, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    case = granted_case(cast)
    produced(cast, case, valid_until=timezone.localdate() + dt.timedelta(days=5))
    Certificate.objects.filter(case=case).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    worker_factory().start()
    certificate_states_refresh.delay()
    wait_for(
        lambda: Certificate.objects.get(case=case).state == CertificateState.EXPIRED,
        message="the certificate to expire",
    )
