from django import template

from ..security.access import access_log_for_case

register = template.Library()


@register.simple_tag
def case_access_log(case):
    """The latest staff reads of this case (谁查看过我的办件)."""
    if case is None or not getattr(case, "pk", None):
        return []
    return access_log_for_case(case.pk)
