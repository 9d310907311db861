"""Time limits with their unit, in words: {% load limits %}{{ version|promised_limit }} → "即办",
"3个工作日", "30个自然日". A limit never shows as a bare number or as "0 个工作日"."""

from django import template
from django.utils.translation import gettext, ngettext

from items.constants import CaseKind, LimitUnit

register = template.Library()


def days_in_words(days: int, unit: str = LimitUnit.WORKING_DAY) -> str:
    if unit == LimitUnit.NATURAL_DAY:
        return ngettext("%(n)d个自然日", "%(n)d个自然日", days) % {"n": days}
    return ngettext("%(n)d个工作日", "%(n)d个工作日", days) % {"n": days}


@register.filter
def promised_limit(version) -> str:
    if version is None:
        return ""
    if version.case_kind == CaseKind.INSTANT:
        return gettext("即办")
    return days_in_words(version.promised_days, version.limit_unit)


@register.filter
def statutory_limit(version) -> str:
    if version is None:
        return ""
    if version.case_kind == CaseKind.INSTANT and not version.statutory_days:
        return gettext("即办")
    return days_in_words(version.statutory_days, version.limit_unit)
