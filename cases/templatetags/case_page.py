"""The case page's reading aids: where the case stands on its path (a step indicator) and what each
event of the timeline changed.

{% load case_page %}{% case_steps case %} · {% for line in event|event_changes %}…{% endfor %}"""

from dataclasses import dataclass

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from cases.constants import CaseState
from hall.emptyforms import crispy_once

register = template.Library()

# How far along its path each state has come: the index of the step under way.
APPLY, HANDOFF, INTAKE, DECISION, DELIVERY, ARCHIVE = "apply", "handoff", "intake", "decision", "delivery", "archive"
STEP_LABELS = {
    APPLY: _("申请"),
    HANDOFF: _("移交属地"),
    INTAKE: _("受理"),
    DECISION: _("审批决定"),
    DELIVERY: _("送达"),
    ARCHIVE: _("归档"),
}
STATE_STEP = {
    CaseState.DRAFT: APPLY,
    CaseState.SUBMITTED: INTAKE,
    CaseState.SUPPLEMENT_REQUESTED: INTAKE,
    CaseState.REJECTED: INTAKE,
    CaseState.ACCEPTED: DECISION,
    CaseState.SUSPENDED: DECISION,
    CaseState.APPROVED: DELIVERY,
    CaseState.DENIED: DELIVERY,
    CaseState.DELIVERED: ARCHIVE,
    CaseState.ARCHIVED: None,  # every step done
}
# States in which the path ends early, at the step named.
STOPPED = {CaseState.REJECTED: _("不予受理"), CaseState.WITHDRAWN: _("已撤回")}


@dataclass
class Step:
    key: str
    label: str
    status: str  # done / current / stopped / todo
    note: str = ""


def _path(case) -> list[str]:
    steps = [APPLY, INTAKE, DECISION, DELIVERY, ARCHIVE]
    if case.handed_to_hall_id or case.cross_area_mode == "receive_forward":
        steps.insert(1, HANDOFF)  # received in one county, accepted in the county that owns the item
    return steps


def case_path(case, withdrawn_at: str | None = None) -> list[Step]:
    steps = _path(case)
    state = case.state
    if state == CaseState.WITHDRAWN:
        current = withdrawn_at or (INTAKE if not case.accepted_on else DECISION)
    else:
        current = STATE_STEP.get(state, APPLY)
    if current == INTAKE and HANDOFF in steps and not case.handed_to_hall_id:
        current = HANDOFF  # still with the receiving hall, to be forwarded
    position = steps.index(current) if current else len(steps)
    result = []
    for index, key in enumerate(steps):
        if index < position:
            status, note = "done", ""
        elif index == position:
            status = "stopped" if state in STOPPED else "current"
            note = STOPPED.get(state, "")
        else:
            status, note = "todo", ""
        result.append(Step(key, STEP_LABELS[key], status, note))
    return result


@register.inclusion_tag("cases/includes/case_steps.html")
def case_steps(case):
    return {"steps": case_path(case), "case": case}


FIELD_LABELS = {
    "description": _("申请事由"),
    "contact_mobile": _("联系电话"),
    "applicant_id_number": _("申请人身份证号"),
    "name": _("姓名"),
    "id_number": _("身份证号"),
    "mobile": _("手机号"),
    "agent": _("代理人"),
    "method": _("送达方式"),
    "delivery_method": _("送达方式"),
    "hall": _("领取大厅"),
    "delivery_hall": _("领取大厅"),
    "address": _("邮寄地址"),
    "delivery_address": _("邮寄地址"),
    "recipient": _("收件人"),
    "delivery_recipient": _("收件人"),
    "delivery_mobile": _("收件人手机号"),
}


def _flatten(value, prefix=""):
    if isinstance(value, dict):
        flat = {}
        for key, inner in value.items():
            flat.update(_flatten(inner, f"{prefix}{key}."))
        return flat
    return {prefix.rstrip("."): value}


def _case_field(name: str):
    """The Case field a change names (`delivery_hall_id` → delivery_hall), or None."""
    from cases.models import Case

    try:
        return Case._meta.get_field(name.removesuffix("_id"))
    except FieldDoesNotExist:  # not a field of the case: a key of the form's own data
        return None


def _label(path: str) -> str:
    parts = []
    for part in path.split("."):
        field = _case_field(part) if part not in FIELD_LABELS else None
        parts.append(str(FIELD_LABELS.get(part) or (field.verbose_name if field else part)))
    return " · ".join(parts)


def _shown(value, key: str = "") -> str:
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, list):
        return "、".join(map(str, value))
    field = _case_field(key.rsplit(".", 1)[-1]) if key else None
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.is_relation and field.many_to_one:
        return str(field.related_model.objects.filter(pk=value).first() or value)
    return str(value)


@register.filter
def event_changes(event) -> list[tuple[str, str, str]]:
    """(field, before, after) for each value an edit changed; nothing for other kinds of events."""
    changes = event.changes or {}
    if not isinstance(changes.get("before"), dict) or not isinstance(changes.get("after"), dict):
        return []
    before, after = _flatten(changes["before"]), _flatten(changes["after"])
    lines = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            lines.append((_label(key), _shown(before.get(key), key), _shown(after.get(key), key)))
    return lines


# {{ form|crispy_once }}: an empty form rendered once per process (hall/emptyforms.py).
register.filter("crispy_once", crispy_once)
