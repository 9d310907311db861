"""The state machine, table-driven: (from state, transition, who) → allowed or refused. The state field
is protected: it cannot be assigned."""

import pytest
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm

from cases.constants import CaseState

from .factories import CaseFactory

S = CaseState
TABLE = [
    # from state, transition, actor, allowed
    (S.DRAFT, "submit", "citizen", True),
    (S.DRAFT, "submit", "clerk", True),
    (S.DRAFT, "submit", "other_citizen", False),
    (S.DRAFT, "accept", "clerk", False),
    (S.SUBMITTED, "accept", "clerk", True),
    (S.SUBMITTED, "accept", "other_clerk", False),
    (S.SUBMITTED, "accept", "approver", False),
    (S.SUBMITTED, "accept_with_deferral", "clerk", True),
    (S.SUBMITTED, "request_supplement", "clerk", True),
    (S.SUBMITTED, "refuse", "clerk", True),
    (S.SUBMITTED, "grant", "approver", False),
    (S.SUPPLEMENT_REQUESTED, "supplement", "citizen", True),
    (S.SUPPLEMENT_REQUESTED, "supplement", "clerk", True),
    (S.SUPPLEMENT_REQUESTED, "supplement", "other_citizen", False),
    (S.SUPPLEMENT_REQUESTED, "refuse", "clerk", True),
    (S.SUPPLEMENT_REQUESTED, "accept", "clerk", False),
    (S.ACCEPTED, "grant", "approver", True),
    (S.ACCEPTED, "deny", "approver", True),
    (S.ACCEPTED, "grant", "other_approver", False),
    (S.ACCEPTED, "grant", "clerk", False),
    (S.ACCEPTED, "suspend", "approver", True),
    (S.ACCEPTED, "withdraw", "citizen", True),
    (S.ACCEPTED, "withdraw", "clerk", False),
    (S.SUSPENDED, "resume", "approver", True),
    (S.SUSPENDED, "grant", "approver", False),
    (S.SUSPENDED, "withdraw", "citizen", True),
    (S.APPROVED, "withdraw", "citizen", False),
    (S.APPROVED, "deliver", "result_clerk", True),
    (S.APPROVED, "deliver", "clerk", False),
    (S.DENIED, "deliver", "result_clerk", True),
    (S.DELIVERED, "archive", "result_clerk", True),
    (S.REJECTED, "accept", "clerk", False),
    (S.WITHDRAWN, "submit", "citizen", False),
    (S.ARCHIVED, "withdraw", "citizen", False),
]

TRAITS = {
    S.DRAFT: {},
    S.SUBMITTED: {"submitted": True},
    S.SUPPLEMENT_REQUESTED: {"supplement_requested": True},
    S.REJECTED: {"rejected": True},
    S.WITHDRAWN: {"withdrawn": True},
    S.ACCEPTED: {"accepted": True},
    S.SUSPENDED: {"suspended": True},
    S.APPROVED: {"approved": True},
    S.DENIED: {"denied": True},
    S.DELIVERED: {"delivered": True},
    S.ARCHIVED: {"archived": True},
}


@pytest.mark.parametrize("state,name,who,allowed", TABLE)
def test_transition_table(cast, state, name, who, allowed):
    case = CaseFactory(applicant=cast.citizen, **TRAITS[state])
    assert case.state == state
    method = getattr(case, name)
    assert has_transition_perm(method, getattr(cast, who)) is allowed


def test_state_field_is_protected(cast):
    case = CaseFactory(applicant=cast.citizen)
    with pytest.raises(AttributeError):
        case.state = CaseState.APPROVED


def test_transition_from_wrong_state_raises(cast):
    case = CaseFactory(applicant=cast.citizen)
    with pytest.raises(TransitionNotAllowed):
        case.grant()


def test_bundle_parent_cannot_be_accepted_directly(cast):
    from tests.items.factories import BundleFactory

    parent = CaseFactory(
        applicant=cast.citizen,
        submitted=True,
        item_version=None,
        owning_department=None,
        receiving_hall=cast.halls["JC"],
        bundle=BundleFactory(),
    )
    assert not can_proceed(parent.accept)
    assert can_proceed(parent.follow_children)


def test_grant_waits_for_deferred_materials(cast):
    import datetime

    case = CaseFactory(applicant=cast.citizen, accepted=True, deferred_due=datetime.date(2030, 1, 1))
    assert not can_proceed(case.grant)
    assert can_proceed(case.deny)
