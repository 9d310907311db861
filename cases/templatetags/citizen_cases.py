"""{% load citizen_cases %}{% citizen_cases user %}: the citizen's own cases on their landing page
(hall renders that page; hall never imports cases, so the list comes in through this tag).

Up to a hundred cases: each line is read as plain values and rendered here (cases.rows.line), labels
translated once and URLs made from one reverse(), instead of a template node per cell of every line."""

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from ..constants import CLOSED_STATES, CaseState, DocumentKind
from ..models import Document
from ..rows import choice_labels, line, url_maker
from ..selectors import cases_of_citizen

register = template.Library()

FINISHED_STATES = [CaseState.DELIVERED, CaseState.ARCHIVED]
FINISHED_DOCUMENTS = [DocumentKind.RESULT, DocumentKind.DENIAL, DocumentKind.DELIVERY_PROOF]

DRAFT_LINE = (
    '<li class="list-group-item d-flex flex-wrap justify-content-between gap-2">'
    '<span>{title} <span class="small text-muted">{created_label} {created}</span></span>'
    '<a class="btn btn-sm btn-primary" href="{url}">{resume}</a></li>'
)
OPEN_LINE = (
    '<li class="list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2" '
    'data-case="{number}"><span><a href="{url}">{title}</a> <span class="small text-muted">{number} · '
    "{submitted_label} {submitted}{promised}</span></span>"
    '<span class="badge text-bg-secondary state-{state}">{state_label}</span></li>'
)
FINISHED_LINE = (
    '<li class="list-group-item" data-case="{number}"><div class="d-flex flex-wrap justify-content-between gap-2">'
    '<span><a href="{url}">{title}</a> <span class="small text-body-secondary">{number}</span></span>'
    '<span class="badge text-bg-success">{state_label}</span></div>{papers}</li>'
)
CLOSED_LINE = (
    '<li class="list-group-item d-flex flex-wrap justify-content-between gap-2">'
    '<span><a href="{url}">{title}</a> <span class="small text-muted">{number}</span></span>'
    '<span class="badge text-bg-light">{state_label}</span></li>'
)
PAPER = '<a class="me-3" href="{}" data-finished-document="{}">{}</a>'


def _day(value) -> str:
    """A date, or a moment's local date, as the date filter "Y-m-d" prints it."""
    if not value:
        return ""
    return (timezone.localtime(value) if hasattr(value, "hour") else value).strftime("%Y-%m-%d")


@register.inclusion_tag("cases/includes/citizen_cases.html")
def citizen_cases(user):
    mine = cases_of_citizen(user, limit=100)
    detail, edit, document = url_maker("cases:detail"), url_maker("cases:edit"), url_maker("cases:document", 2)
    states = choice_labels(CaseState)
    finished = [c for c in mine if c.state in FINISHED_STATES]
    papers = {}
    documents = Document.objects.filter(case_id__in=[c.pk for c in finished], kind__in=FINISHED_DOCUMENTS)
    for pk, case_id, kind, title in documents.order_by("pk").values_list("pk", "case_id", "kind", "title"):
        papers.setdefault(case_id, []).append((document(case_id, pk), kind, title))

    def title(case) -> str:
        return (case.item_version__name if case.item_version_id else case.bundle__name if case.bundle_id else "") or ""

    def shown(case, markup: str, url: str = "", **more):
        return line(
            markup,
            number=case.number,
            url=url or detail(case.pk),
            title=title(case),
            state=case.state,
            state_label=states.get(case.state, case.state),
            **more,
        )

    promised = gettext("承诺办结")
    return {
        "drafts": [
            shown(
                c,
                DRAFT_LINE,
                created_label=gettext("创建于"),
                created=_day(c.created_at),
                resume=gettext("继续填写"),
                # A bundle's parent is continued from its page (its children are edited one by one).
                url=detail(c.pk) if c.bundle_id and not c.item_version_id else edit(c.pk),
            )
            for c in mine
            if c.state == CaseState.DRAFT
        ],
        "open": [
            shown(
                c,
                OPEN_LINE,
                submitted_label=gettext("提交于"),
                submitted=_day(c.submitted_at),
                promised=f" · {promised} {_day(c.decision_due)}" if c.decision_due and c.state == "accepted" else "",
            )
            for c in mine
            if c.state not in CLOSED_STATES + FINISHED_STATES and c.state != CaseState.DRAFT
        ],
        # 已办结: the result reached the applicant; shown with the result and the proof of delivery.
        "finished": [
            shown(
                c,
                FINISHED_LINE,
                papers=format_html('<div class="small mt-1">{}</div>', format_html_join("", PAPER, papers[c.pk]))
                if c.pk in papers
                else "",
            )
            for c in finished
        ],
        "closed": [shown(c, CLOSED_LINE) for c in mine if c.state in CLOSED_STATES and c.state not in FINISHED_STATES],
    }
