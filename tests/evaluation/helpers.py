"""Helpers that put finished services where a ratings test needs them: a case in the right state
(factories) and the audit event that finishes the service (cases' own event_record), then the
collector, exactly as in production."""

from cases.constants import CaseState, Channel, EventKind
from cases.services._common import event_record
from evaluation.constants import ServiceKind
from evaluation.models import Service
from evaluation.services import rating_submit, services_collect
from tests.cases.factories import CaseFactory


def counter_case(cast, applicant=None, **kwargs):
    return CaseFactory(
        submitted=True, channel=Channel.COUNTER, applicant=applicant or cast.citizen,
        receiving_hall=cast.halls["JC"], **kwargs,
    )  # fmt: skip


def counter_service(cast, applicant=None, case=None) -> Service:
    """A counter intake at the 江城 commercial window by the demo clerk."""
    case = case or counter_case(cast, applicant)
    event_record(
        case=case, kind=EventKind.COUNTER_RECEIVED, actor=cast.clerk, from_state=CaseState.DRAFT,
        to_state=CaseState.SUBMITTED,
    )  # fmt: skip
    services_collect()
    return Service.objects.get(case=case, kind=ServiceKind.COUNTER_INTAKE)


def delivered_case(cast, applicant=None, **kwargs):
    case = CaseFactory(delivered=True, applicant=applicant or cast.citizen, receiving_hall=cast.halls["JC"], **kwargs)
    event_record(case=case, kind=EventKind.GRANTED, actor=cast.approver, from_state="accepted", to_state="approved")
    event = event_record(
        case=case, kind=EventKind.DELIVERED, actor=cast.result_clerk, from_state=CaseState.APPROVED,
        to_state=CaseState.DELIVERED,
    )  # fmt: skip
    services_collect()
    return case, event


def rate(service, level, *, user=None, tags=None, text="", anonymous=False, channel="pc", kind="first", token=None):
    """Rate as the service's applicant (logged in) unless a token or another user is given."""
    if token is None and user is None:
        user = service.applicant
    if tags is None:
        tags = [f"{level}-01"] if level >= 4 else []
    return rating_submit(service=service, level=level, tags=tags, text=text, anonymous=anonymous, channel=channel,
                         kind=kind, user=user, token=token)  # fmt: skip
