"""{% floor_figures_for user as figures %}: the hall floor's figures of today for a supervisor's halls
(used by the supervisor's page, which belongs to cases and knows nothing of the floor)."""

from django import template

from ..floor.selectors import figures_for_supervisor

register = template.Library()


@register.simple_tag
def floor_figures_for(user):
    return figures_for_supervisor(user)
