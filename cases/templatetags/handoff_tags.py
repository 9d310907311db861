"""The hand-off section of the case page and the hand-off figures of the supervisor's page, so that
neither page's view has to know about hand-offs (templates include them with one line)."""

from django import template
from django.core.cache import cache

from .. import permissions
from ..handoff_selectors import custody_trail, figure_regions, handoff_figures, handoff_of, stage_rows
from ..page_reads import handoff_in_a_line

register = template.Library()


@register.inclusion_tag("cases/handoff_section_body.html", takes_context=True)
def handoff_section(context, case):
    """Staff of both sides see the stage owners, archive duties and custody trail; the applicant a line."""
    user = context["request"].user
    if not getattr(case, "cross_area_mode", ""):
        return {"handoff": None}  # received in the owning county: no hand-off
    staff = (
        permissions.is_receiving_clerk(case, user)
        or permissions.is_result_clerk(case, user)
        or permissions.is_deciding_approver(case, user)
        or permissions.is_supervisor(case, user)
    )
    # The applicant's line names the two halls and the state: not the legs, people and dates staff see.
    handoff = handoff_of(case) if staff else handoff_in_a_line(case)
    if handoff is None:
        return {"handoff": None}
    data = {"handoff": handoff, "case": case, "staff": staff}
    if staff:
        data.update(trail=custody_trail(handoff), stages=stage_rows(handoff))
    return data


# The supervisor's page shows these beside its own figures; a minute old is fresh enough for counts of
# hand-offs and saves the page its queries on every reload.
FIGURES_SECONDS = 60


@register.simple_tag(takes_context=True)
def handoff_figures_for_page(context):
    """The pairs the caller supervises (None when the caller supervises nothing), cached a minute."""
    user = context["request"].user
    key = f"handoff-figures:{user.pk}"
    cached = cache.get(key)
    if cached is not None:
        return cached[0]
    regions = figure_regions(user)
    figures = None if regions is not None and not regions else handoff_figures(user, regions=regions)
    cache.set(key, (figures,), FIGURES_SECONDS)
    return figures
