"""{% load citizen_cases %}{% citizen_cases user %}: the citizen's own cases on their landing page
(hall renders that page; hall never imports cases, so the list comes in through this tag)."""

from django import template

from ..constants import CLOSED_STATES, CaseState, DocumentKind
from ..models import Document
from ..selectors import cases_of_citizen

register = template.Library()


@register.inclusion_tag("cases/includes/citizen_cases.html")
def citizen_cases(user):
    mine = cases_of_citizen(user, limit=100)
    finished = [c for c in mine if c.state in FINISHED_STATES]
    papers = {}
    for document in Document.objects.filter(case__in=finished, kind__in=FINISHED_DOCUMENTS).order_by("pk"):
        papers.setdefault(document.case_id, []).append(document)
    for case in finished:
        case.finished_papers = papers.get(case.pk, [])
    return {
        "drafts": [c for c in mine if c.state == CaseState.DRAFT],
        "open": [c for c in mine if c.state not in CLOSED_STATES + FINISHED_STATES and c.state != CaseState.DRAFT],
        # 已办结: the result reached the applicant; shown with the result and the proof of delivery.
        "finished": finished,
        "closed": [c for c in mine if c.state in CLOSED_STATES and c.state not in FINISHED_STATES],
    }


FINISHED_STATES = [CaseState.DELIVERED, CaseState.ARCHIVED]
FINISHED_DOCUMENTS = [DocumentKind.RESULT, DocumentKind.DENIAL, DocumentKind.DELIVERY_PROOF]
