"""What the delivery services share: the cases a delivery order covers, running the case's own
transitions on them, and the applicant's notices."""

from django.urls import reverse

from cases.constants import DECIDED_STATES, CaseState, EventKind
from cases.models import Case
from cases.services import bundle_follow, event_record
from cases.services._common import run_transition, save_case
from hall.constants import WindowCategory
from hall.notices import notice_queue

# A bundle's children that are out of the story (no result to hand out).
DROPPED_STATES = [CaseState.WITHDRAWN, CaseState.REJECTED]


def top_case(case: Case) -> Case:
    """The case the applicant follows: a bundle's parent for one of its children (一口出件)."""
    return case.parent if case.parent_id else case


def result_units(top: Case) -> list[Case]:
    """The single-item cases whose results a delivery order hands out together."""
    if top.item_version_id:
        return [top]
    return list(
        top.children.select_related("item_version__item", "owning_department", "applicant", "enterprise")
        .exclude(state__in=DROPPED_STATES)
        .order_by("pk")
    )


def deliver_units(top: Case, *, actor, note: str, ip: str | None, document=None) -> None:
    """Run `deliver` on every result of the order (a bundle's parent follows its children)."""
    for unit in result_units(top):
        if unit.state not in DECIDED_STATES:
            continue
        from_state = unit.state
        run_transition(unit, "deliver", actor)
        save_case(unit)
        event_record(
            case=unit, kind=EventKind.DELIVERED, actor=actor, from_state=from_state, to_state=unit.state,
            note=note, ip=ip, document=document if unit.pk == top.pk else None,
        )  # fmt: skip
        bundle_follow(unit)


def case_link(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def notify(top: Case, *, kind: str, subject: str, body: str):
    return notice_queue(
        recipient=top.applicant,
        kind=kind,
        subject=subject,
        body=body,
        link=case_link(top),
        case_number=top.number or "",
    )


def result_window_label(hall) -> str:
    """“阳江市政务服务中心 6号窗口” (the hall's result window): where the applicant collects the result."""
    window = hall.windows.filter(category=WindowCategory.RESULT).order_by("number").first()
    if window is None:
        return f"{hall.name}统一出件窗口"
    return f"{hall.name} {window.number}号窗口"
