"""The ratings tasks against a real Celery worker on Redis: services_collect finds a finished counter
service and queues its invitation; ratings_scan counts an unrated service and raises a ticket's level."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.constants import CaseState, Channel, EventKind
from cases.services._common import event_record
from evaluation.constants import TicketState
from evaluation.models import RectificationTicket, Service
from hall.models import Notice
from tests.cases.factories import CaseFactory

from .conftest import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_collect_task_creates_the_service_and_its_invitation(cast, worker_factory):
    worker_factory().start()
    case = CaseFactory(submitted=True, channel=Channel.COUNTER, applicant=cast.citizen, receiving_hall=cast.halls["JC"])
    event_record(case=case, kind=EventKind.COUNTER_RECEIVED, actor=cast.clerk, from_state=CaseState.DRAFT,
                 to_state=CaseState.SUBMITTED)  # fmt: skip
    from evaluation.tasks import services_collect

    services_collect.delay()
    wait_for(lambda: Service.objects.filter(case=case).exists(), message="the service to be collected")
    wait_for(lambda: Notice.objects.filter(recipient=cast.citizen, kind="rating_invitation").exists(),
             message="the invitation")  # fmt: skip


def test_scan_task_counts_unrated_services_and_raises_ticket_levels(cast, worker_factory):
    from evaluation.services import rating_submit, services_collect
    from evaluation.tasks import ratings_scan

    cases = [
        CaseFactory(submitted=True, channel=Channel.COUNTER, applicant=cast.citizen, receiving_hall=cast.halls["JC"])
        for _ in range(2)
    ]
    for case in cases:
        event_record(case=case, kind=EventKind.COUNTER_RECEIVED, actor=cast.clerk, from_state=CaseState.DRAFT,
                     to_state=CaseState.SUBMITTED)  # fmt: skip
    services_collect()
    silent, rated = (Service.objects.get(case=case) for case in cases)
    Service.objects.filter(pk=silent.pk).update(rating_due=timezone.now() - dt.timedelta(minutes=1))
    rating_submit(service=rated, level=5, tags=["5-01"], channel="pc", user=cast.citizen)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    RectificationTicket.objects.update(fix_due=yesterday, next_due=yesterday)
    worker_factory().start()
    ratings_scan.delay()
    wait_for(lambda: Service.objects.filter(pk=silent.pk, unrated_at__isnull=False).exists(), message="未评价")
    wait_for(lambda: RectificationTicket.objects.filter(warning_level="overdue", state=TicketState.OPEN).exists(),
             message="the overdue level")  # fmt: skip
