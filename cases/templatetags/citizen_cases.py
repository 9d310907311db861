"""{% load citizen_cases %}{% citizen_cases user %}: the citizen's own cases on their landing page
(hall renders that page; hall never imports cases, so the list comes in through this tag)."""

from django import template

from ..constants import CLOSED_STATES, CaseState
from ..selectors import cases_for_user

register = template.Library()


@register.inclusion_tag("cases/includes/citizen_cases.html")
def citizen_cases(user):
    mine = list(cases_for_user(user).filter(parent__isnull=True).order_by("-created_at")[:100])
    return {
        "drafts": [c for c in mine if c.state == CaseState.DRAFT],
        "open": [c for c in mine if c.state not in CLOSED_STATES and c.state != CaseState.DRAFT],
        "closed": [c for c in mine if c.state in CLOSED_STATES],
    }
