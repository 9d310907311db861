"""Two clerks accepting the same case at the same moment: exactly one succeeds, the other is told
plainly. On PostgreSQL with two real connections (threads), and a stale-copy check everywhere."""

import threading

import pytest
from django.db import connection, connections

from cases import services
from cases.constants import CaseState, DocumentKind, EventKind
from cases.models import Case, Document
from cases.services import CaseAlreadyHandled
from hall.constants import StaffRole
from tests.factories import AssignmentFactory, StaffFactory

from .helpers import submitted_case


@pytest.fixture
def second_clerk(cast):
    assignment = AssignmentFactory(
        user=StaffFactory(real_name="江城窗口二"), hall=cast.halls["JC"], role=StaffRole.WINDOW_CLERK
    )
    return assignment.user


def test_stale_copy_gets_already_handled(cast, second_clerk):
    case = submitted_case(cast)
    first = Case.objects.get(pk=case.pk)
    second = Case.objects.get(pk=case.pk)
    services.case_accept(case=first, actor=cast.clerk)
    with pytest.raises(CaseAlreadyHandled) as caught:
        services.case_accept(case=second, actor=second_clerk)
    assert "已由其他工作人员处理" in caught.value.messages[0]
    # The submission's receipt (收件凭证) and one acceptance notice: the loser issued nothing.
    assert sorted(Document.objects.filter(case=case).values_list("kind", flat=True)) == [
        DocumentKind.ACCEPTANCE,
        DocumentKind.RECEIPT,
    ]
    assert case.events.filter(kind=EventKind.ACCEPTED).count() == 1


def test_stale_copy_cannot_refuse_an_accepted_case(cast, second_clerk):
    case = submitted_case(cast)
    stale = Case.objects.get(pk=case.pk)
    services.case_accept(case=case, actor=cast.clerk)
    with pytest.raises(CaseAlreadyHandled):
        services.case_refuse(case=stale, actor=second_clerk, reasons="重复处理")
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real PostgreSQL connections")
@pytest.mark.django_db(transaction=True)
def test_two_clerks_accept_at_the_same_moment(cast, second_clerk, media_root):
    case = submitted_case(cast)
    barrier = threading.Barrier(2)
    outcomes = {}

    def accept(clerk):
        try:
            mine = Case.objects.get(pk=case.pk)  # each thread reads on its own connection
            barrier.wait(timeout=10)
            services.case_accept(case=mine, actor=clerk)
            outcomes[clerk.pk] = "accepted"
        except CaseAlreadyHandled as exc:
            outcomes[clerk.pk] = exc.messages[0]
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcomes[clerk.pk] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(clerk,)) for clerk in (cast.clerk, second_clerk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    results = list(outcomes.values())
    assert results.count("accepted") == 1, outcomes
    loser = next(r for r in results if r != "accepted")
    assert "已由其他工作人员处理" in loser, outcomes
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    assert case.events.filter(kind=EventKind.ACCEPTED).count() == 1
    assert sorted(Document.objects.filter(case=case).values_list("kind", flat=True)) == [
        DocumentKind.ACCEPTANCE,
        DocumentKind.RECEIPT,
    ]
    stored = list((media_root / "documents").rglob("*.pdf"))
    assert len(stored) == 2  # the receipt and the winner's notice: the loser's PDF was not left behind
