"""services_collect: each finished counter service, pickup, served ticket and delivered matter becomes
one rateable service with its invitation (notice with a link), once however often it runs."""

import pytest
from django.conf import settings
from django.utils import timezone

from cases.constants import EventKind
from cases.services._common import event_record
from evaluation.constants import RatingChannel, ServiceKind, TokenPurpose
from evaluation.models import CollectWatermark, FigureRow, RatingToken, Service
from evaluation.services import services_collect
from hall.models import Notice, Window
from tests.cases.factories import CaseFactory

from .helpers import counter_service, delivered_case

pytestmark = pytest.mark.django_db


def test_counter_intake_becomes_a_service_of_that_clerk_window_and_department(cast):
    service = counter_service(cast)
    assert service.kind == ServiceKind.COUNTER_INTAKE
    assert service.clerk == cast.clerk and service.applicant == cast.citizen
    assert service.window == cast.clerk.assignments.get().window and service.window.hall == cast.halls["JC"]
    assert service.department == cast.market_jc and service.hall == cast.halls["JC"]
    assert service.item == service.case.item_version.item
    assert service.month == timezone.localdate().replace(day=1)
    assert service.rating_due > service.finished_at
    assert FigureRow.objects.get().services == 1


def test_invitation_notice_carries_a_single_use_link(cast):
    service = counter_service(cast)
    token = RatingToken.objects.get(service=service)
    assert token.purpose == TokenPurpose.INVITATION and token.used_at is None
    assert token.expires_at == service.rating_due
    notice = Notice.objects.get(recipient=cast.citizen, kind="rating_invitation")
    assert notice.link == f"/ratings/t/{token.token}/"
    assert settings.SITE_URL.rstrip("/") + notice.link in notice.body  # whole address: it goes by SMS too
    assert notice.case_number == service.case.number


def test_collect_is_idempotent(cast):
    counter_service(cast)
    again = services_collect()
    assert again.services == 0
    assert Service.objects.count() == 1 and RatingToken.objects.count() == 1
    assert Notice.objects.filter(kind="rating_invitation").count() == 1


def test_watermark_moves_only_past_settled_events(cast):
    counter_service(cast)
    mark = CollectWatermark.objects.get(source="case_events")
    assert mark.last_id == 0  # the event is younger than the lag: read again next time
    later = timezone.now() + timezone.timedelta(minutes=5)
    services_collect(now=later)
    mark.refresh_from_db()
    assert mark.last_id == Service.objects.get().case.events.get(kind=EventKind.COUNTER_RECEIVED).pk


def test_delivery_at_the_result_window_is_a_pickup_and_the_matter(cast):
    case, event = delivered_case(cast)
    kinds = dict(Service.objects.filter(case=case).values_list("kind", "source_key"))
    assert kinds == {ServiceKind.PICKUP: f"pickup:{case.pk}", ServiceKind.MATTER: f"matter:{case.pk}"}
    pickup = Service.objects.get(kind=ServiceKind.PICKUP)
    assert pickup.clerk == cast.result_clerk and pickup.window.category == "result"
    matter = Service.objects.get(kind=ServiceKind.MATTER)
    assert matter.clerk == cast.approver  # whoever decided answers for the matter
    assert Notice.objects.filter(recipient=cast.citizen, kind="rating_invitation").count() == 2


def test_delivery_by_the_system_is_only_the_matter(cast):
    case = CaseFactory(delivered=True, applicant=cast.citizen, receiving_hall=cast.halls["JC"])
    event_record(case=case, kind=EventKind.DELIVERED, actor=None, from_state="approved", to_state="delivered")
    services_collect()
    assert list(Service.objects.values_list("kind", flat=True)) == [ServiceKind.MATTER]


def test_served_ticket_is_a_visit_at_its_window(cast):
    from hall.models import Ticket

    window = Window.objects.get(hall=cast.halls["JC"], number=3)
    now = timezone.now()
    ticket = Ticket.objects.create(
        hall=cast.halls["JC"], date=timezone.localdate(), category=window.category, sequence=7, number="C007",
        person=cast.citizen, state="served", issued_at=now, served_at=now, closed_at=now, window=window,
        clerk=cast.clerk,
    )  # fmt: skip
    Ticket.objects.create(
        hall=cast.halls["JC"], date=timezone.localdate(), category=window.category, sequence=8, number="C008",
        state="called", issued_at=now, window=window,
    )  # fmt: skip
    result = services_collect()
    assert result.services == 1
    service = Service.objects.get()
    assert service.kind == ServiceKind.TICKET and service.source_key == f"ticket:{ticket.pk}"
    assert service.window == window and service.clerk == cast.clerk and service.applicant == cast.citizen
    assert services_collect().services == 0


def test_a_counter_application_from_a_ticket_is_one_visit(cast):
    from hall.models import Ticket

    window = Window.objects.get(hall=cast.halls["JC"], number=3)
    now = timezone.now()
    ticket = Ticket.objects.create(
        hall=cast.halls["JC"], date=timezone.localdate(), category=window.category, sequence=9, number="C009",
        person=cast.citizen, state="served", issued_at=now, served_at=now, closed_at=now, window=window,
        clerk=cast.clerk,
    )  # fmt: skip
    counter_service(cast, case=CaseFactory(submitted=True, applicant=cast.citizen, ticket=ticket))
    assert Service.objects.count() == 1
    assert Service.objects.get().kind == ServiceKind.COUNTER_INTAKE


def test_tablet_tokens_are_bound_to_the_tablet_channel(cast):
    from evaluation.selectors import tablet_token

    service = counter_service(cast)
    token = tablet_token(service)
    assert token.channel == RatingChannel.TABLET and tablet_token(service) == token  # reload reuses it
