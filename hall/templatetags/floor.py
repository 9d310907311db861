"""{% floor_figures_for user as figures %}: the hall floor's figures of today for a supervisor's halls
(used by the supervisor's page, which belongs to cases and knows nothing of the floor)."""

from django import template
from django.core.cache import cache

from ..floor.clock import floor_today
from ..floor.selectors import figures_for_supervisor

register = template.Library()

# The supervisor's page shows these beside its own figures, as it shows the hand-off figures: a minute
# old is fresh enough for the day's queue figures and saves the page a query per hall on every reload.
FIGURES_SECONDS = 60


@register.simple_tag
def floor_figures_for(user):
    day = floor_today()
    key = f"tongban:floor-figures:{user.pk}:{day.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return cached[0]
    figures = figures_for_supervisor(user, day)
    cache.set(key, (figures,), FIGURES_SECONDS)
    return figures
