"""A bundle's (一件事) parent follows its children: after each child's step, inside its transaction."""

from ..constants import STATE_PROGRESS, CaseState, EventKind
from ..models import Case
from ._common import event_record, run_transition, save_case

# Between two live children at the same stage, the one needing attention first sets the parent's state.
_TIE_BREAK = {
    CaseState.SUPPLEMENT_REQUESTED: 0,
    CaseState.SUBMITTED: 1,
    CaseState.SUSPENDED: 0,
    CaseState.ACCEPTED: 1,
    CaseState.DENIED: 0,
    CaseState.APPROVED: 1,
}


def bundle_parent_state(states: list[str]) -> str:
    """The parent's state from its children's: the least advanced live child's state; when no child is
    live, rejected if any was rejected, else withdrawn."""
    live = [s for s in states if s not in (CaseState.WITHDRAWN, CaseState.REJECTED)]
    if not live:
        return CaseState.REJECTED if CaseState.REJECTED in states else CaseState.WITHDRAWN
    return min(live, key=lambda s: (STATE_PROGRESS[s], _TIE_BREAK.get(s, 0)))


def bundle_follow(case: Case) -> Case | None:
    """After a child's transition (inside its service's transaction): bring the parent into line."""
    if not case.parent_id:
        return None
    parent = Case.objects.select_for_update().get(pk=case.parent_id)
    new_state = bundle_parent_state(list(parent.children.values_list("state", flat=True)))
    if new_state == parent.state:
        return parent
    from_state = parent.state
    run_transition(parent, "follow_children", None, new_state)
    save_case(parent)
    event_record(
        case=parent,
        kind=EventKind.BUNDLE_FOLLOWED,
        actor=None,
        from_state=from_state,
        to_state=parent.state,
        note=f"子办件 {case.number or case.pk} 状态变化",
    )
    return parent
