"""The limits of an item read in the law's words: each with its unit (工作日 / 自然日), instant items as
即办, and the intake window of Art. 32 after which the application stands accepted."""

from datetime import date

from django.utils.translation import gettext as _

from ..clock import NATURAL_DAY, intake_due_for, intake_start, unit_label
from ..constants import CaseState


def limit_text(days: int | None, unit: str, *, instant: bool = False) -> str:
    """“5个工作日”, “30个自然日”, or “即办” for an instant item (never “0个工作日”)."""
    if instant:
        return _("即办")
    return _("%(days)s个%(unit)s") % {"days": days or 0, "unit": unit_label(unit)}


def intake_limit_text(version) -> str:
    days = getattr(version, "intake_days", 5)
    return limit_text(5 if days is None else days, getattr(version, "intake_unit", "") or "working_day")


def promised_limit_text(version) -> str:
    return limit_text(version.promised_days, version.limit_unit, instant=version.case_kind == "instant")


def delivery_limit_text(version) -> str:
    return limit_text(version.delivery_days, version.delivery_unit)


def is_natural(unit: str) -> bool:
    return unit == NATURAL_DAY


def intake_window_closed(case, today: date) -> bool:
    """True once the intake limit has passed without a decision (Art. 32): from the day after the
    last day of the window, the application counts as accepted on receipt."""
    if case.accepted_by_law:
        return True
    if case.state != CaseState.SUBMITTED:
        return False
    due = intake_due_for(case, intake_start(case))
    return due is not None and today > due
