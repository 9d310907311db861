"""The audit trail is append-only: through the model, the queryset, the admin, and on PostgreSQL
even through raw SQL (a trigger)."""

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from cases.constants import EventKind
from cases.models import CaseEvent, Document, ImmutableError

from .helpers import accepted_case

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")


@pytest.fixture
def trail(cast):
    case = accepted_case(cast)
    return case, case.events.order_by("pk").first()


def test_every_step_is_recorded_in_order(trail):
    case, _ = trail
    kinds = list(case.events.order_by("pk").values_list("kind", flat=True))
    assert kinds[0] == EventKind.CREATED
    assert kinds.count(EventKind.MATERIAL_ADDED) == 2
    # The receipt (收件凭证, 行政许可法 Art. 32) is issued with the submission, before the acceptance.
    assert kinds[-3:] == [EventKind.SUBMITTED, EventKind.RECEIPT_ISSUED, EventKind.ACCEPTED]


def test_event_carries_actor_role_hall_states_time_and_ip(cast):
    from cases import services

    from .helpers import submitted_case

    case = submitted_case(cast)
    services.case_accept(case=case, actor=cast.clerk, note="材料齐全", ip="10.1.2.3")
    event = case.events.get(kind=EventKind.ACCEPTED)
    assert event.actor == cast.clerk and event.actor_name == cast.clerk.real_name
    assert (event.role, event.hall.code) == ("window_clerk", "JC")
    assert (event.from_state, event.to_state, event.note, event.ip) == ("submitted", "accepted", "材料齐全", "10.1.2.3")
    assert event.created_at is not None


def test_model_save_refuses_change(trail):
    _, event = trail
    event.note = "篡改"
    with pytest.raises(ImmutableError):
        event.save()


def test_model_delete_refused(trail):
    _, event = trail
    with pytest.raises(ImmutableError):
        event.delete()


def test_queryset_update_and_delete_refused(trail):
    with pytest.raises(ImmutableError):
        CaseEvent.objects.update(note="篡改")
    with pytest.raises(ImmutableError):
        CaseEvent.objects.filter(kind=EventKind.CREATED).delete()
    with pytest.raises(ImmutableError):
        Document.objects.all().delete()


def test_admin_is_read_only(cast, trail):
    _, event = trail
    admin = site._registry[CaseEvent]
    request = RequestFactory().get("/")
    request.user = cast.admin
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, event)
    assert not admin.has_delete_permission(request, event)
    assert admin.has_view_permission(request, event)


@postgres_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE cases_caseevent SET note = 'x' WHERE id = %s",
        "DELETE FROM cases_caseevent WHERE id = %s",
    ],
)
def test_postgres_trigger_refuses_raw_update_and_delete_of_events(trail, sql):
    _, event = trail
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.note != "x"


@postgres_only
def test_postgres_trigger_refuses_raw_change_of_documents(trail):
    case, _ = trail
    document = case.documents.first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_document SET sha256 = 'x' WHERE id = %s", [document.pk])


@pytest.mark.parametrize("ip,stored", [("10.0.0.1", "10.0.0.1"), ("::1", "::1"), ("not-an-ip", None), ("", None)])
def test_bad_ip_is_dropped_not_fatal(cast, ip, stored):
    from cases import services

    from .helpers import draft_case

    case = draft_case(cast)
    services.case_update_draft(case=case, actor=cast.citizen, form_data={}, ip=ip)
    assert case.events.get(kind=EventKind.UPDATED).ip == stored
