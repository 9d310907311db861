"""What a case page reads of its case once per request, kept on the case instance the page loaded: the
guide's materials (the review form, the side-by-side rows and the completeness check all list them) and
the signed commitment (告知承诺), joined with the case when the page asked for it.

And the page's lists as plain-value lines (cases.rows.line), not model instances rendered item by item by
an include: the timeline and the reads of the case (谁查看过我的办件). Their labels come from the tables
cases.rows.choice_labels keeps per language (an event has some sixty kinds), their values are read with
values_list."""

from django.core.exceptions import ObjectDoesNotExist
from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as gettext_now

from hall.constants import AccessKind, StaffRole
from hall.security.access import access_log_for_case

from .constants import CaseState, EventKind
from .models import Case, CaseEvent, Commitment, Handoff
from .rows import choice_labels, line, local_minute, url_maker
from .templatetags.case_page import event_changes


def guide_materials(case: Case) -> list:
    """The materials of the case's guide in the guide's order (none without an item version), read once
    per case instance."""
    cached = case.__dict__.get("_guide_materials")
    if cached is None:
        version = case.item_version if case.item_version_id else None
        cached = list(version.materials.order_by("order", "pk")) if version is not None else []
        case.__dict__["_guide_materials"] = cached
    return cached


def case_commitment(case: Case) -> Commitment | None:
    """The case's commitment or None: from the case's own read when it joined the commitment
    (select_related("commitment")), else one query."""
    if Case.commitment.related.is_cached(case):
        try:
            return case.commitment
        except ObjectDoesNotExist:
            return None
    return Commitment.objects.filter(case=case).first()


def handoff_in_a_line(case: Case) -> Handoff | None:
    """The case's hand-off as the applicant's line shows it (cases/handoff_section_body.html): its state
    and the names of the receiving and the owning hall, without its legs (handoff_selectors.handoff_of
    reads those for staff)."""
    return (
        Handoff.objects.select_related("receiving_hall", "owning_hall")
        .only("case_id", "state", "receiving_hall__name", "owning_hall__name")
        .filter(case=case)
        .first()
    )


# One event as cases/includes/timeline.html printed it from the instance; the optional parts come in
# already marked up (or empty).
_EVENT = (
    '\n  <li class="timeline-item" data-event="{kind}">\n'
    '    <div class="timeline-when small text-muted">{when}</div>\n'
    '    <div class="timeline-what">\n'
    "      <strong>{kind_label}</strong>\n"
    "      {states}\n"
    '      <span class="small text-muted">· {actor_name}{hall}</span>\n'
    "      {note}\n"
    "      {edits}\n"
    "      {material}\n"
    "      {document}\n"
    "    </div>\n"
    "  </li>\n  "
)
_STATES = '<span class="small text-muted">{}</span>'
_EDIT = '<div class="timeline-change">{}</div>'
_MATERIAL = '<div class="small text-muted">{}{}{}{}</div>'
_DOCUMENT = '<div class="small"><a href="{}" target="_blank" rel="noopener">{} {}</a></div>'
_EVENT_FIELDS = (
    "kind",
    "from_state",
    "to_state",
    "created_at",
    "actor_name",
    "hall_id",
    "hall__name",
    "note",
    "changes",
    "document_id",
    "document__title",
    "document__number",
)


def _looked_up(value, key: str):
    """`value.key` as the template looked it up in an event's changes (a dict key, else an attribute,
    else nothing)."""
    try:
        return value[key]
    except (TypeError, KeyError, IndexError):
        return getattr(value, key, "")


def _safe(markup: str):
    return mark_safe(markup)  # noqa: S308 - every value in it is escaped by the caller


def _event_line(row, case_pk: int, states: dict, kinds: dict, document_url):
    changes = row.changes
    states_html = ""
    if row.to_state and row.from_state:
        arrow = gettext_now("（%(a)s → %(b)s）") % {
            "a": escape(states.get(row.from_state, row.from_state)),
            "b": escape(states.get(row.to_state, row.to_state)),
        }
        states_html = _STATES.format(arrow)
    edits = "".join(
        _EDIT.format(
            gettext_now("%(field)s：%(before)s → %(after)s")
            % {"field": escape(field), "before": escape(before), "after": escape(after)}
        )
        for field, before, after in event_changes(_ChangesOnly(changes))
    )
    material, material_html = _looked_up(changes, "material"), ""
    if material:
        added = _looked_up(changes, "added")
        material_html = _MATERIAL.format(
            escape(gettext_now("材料")),
            escape(gettext_now("：")),
            escape(material),
            f"（{escape(_looked_up(added, 'name'))}）" if added else "",
        )
    document_html = ""
    if row.document_id:
        document_html = _DOCUMENT.format(
            document_url(case_pk, row.document_id), escape(row.document__title), escape(row.document__number)
        )
    return line(
        _EVENT,
        kind=row.kind,
        when=local_minute(row.created_at),
        kind_label=kinds.get(row.kind, row.kind),
        states=_safe(states_html),
        actor_name=row.actor_name,
        hall=_safe(f" · {escape(row.hall__name)}" if row.hall_id else ""),
        note=_safe(f'<div class="small">{linebreaksbr(row.note, autoescape=True)}</div>' if row.note else ""),
        edits=_safe(edits),
        material=_safe(material_html),
        document=_safe(document_html),
    )


class _ChangesOnly:
    """What cases.templatetags.case_page.event_changes reads of an event."""

    def __init__(self, changes):
        self.changes = changes


def timeline_lines(case: Case, *, newest_first: bool = False) -> list:
    """The case's events as lines of cases/includes/timeline.html, oldest first (or newest first): what
    happened, the change of state, who and where, the note, the values an edit changed, the material and
    the document it concerns."""
    order = ("-created_at", "-pk") if newest_first else ("created_at", "pk")
    rows = CaseEvent.objects.filter(case=case).order_by(*order).values_list(*_EVENT_FIELDS, named=True)
    states, kinds, document_url = choice_labels(CaseState), choice_labels(EventKind), url_maker("cases:document", 2)
    return [_event_line(row, case.pk, states, kinds, document_url) for row in rows]


# One read as cases/_access_log_section.html printed it from the record.
_READ = "\n        <tr><td>{when}</td><td>{hall}</td><td>{role}</td><td>{kind}</td></tr>\n      "


def access_log_lines(case: Case) -> list:
    """The latest staff reads of the case (谁查看过我的办件) as lines: when, in which hall, in which post
    (its label, or the stored value of a post the portal no longer has), what."""
    roles, kinds = choice_labels(StaffRole), choice_labels(AccessKind)
    return [
        line(
            _READ,
            when=local_minute(read.created_at),
            hall=read.hall__name or "",
            role=roles.get(read.role, read.role),
            kind=kinds.get(read.kind, read.kind),
        )
        for read in access_log_for_case(case.pk)
    ]
