"""{% load evaluation %}{% case_ratings case %}: the ratings section of the case page — for the
applicant, each finished service with its rating link; for staff who may see the tickets, the
ratings (anonymous ones without the name) and their rectification tickets."""

from django import template

from ..constants import RatingKind
from ..models import RectificationTicket
from ..selectors import can_see_tickets, rating_state, services_for_case

register = template.Library()


@register.inclusion_tag("evaluation/_case_ratings.html", takes_context=True)
def case_ratings(context, case):
    request = context.get("request")
    user = getattr(request, "user", None)
    services = services_for_case(case)
    is_applicant = user is not None and user.is_authenticated and case.applicant_id == user.pk
    rows = []
    for service in services:
        ratings = {r.kind: r for r in service.ratings.all()}
        rows.append({
            "service": service,
            "first": ratings.get(RatingKind.FIRST),
            "follow_up": ratings.get(RatingKind.FOLLOW_UP),
            "state": rating_state(service) if is_applicant else None,
        })  # fmt: skip
    staff = not is_applicant and can_see_tickets(user)
    tickets = (
        list(RectificationTicket.objects.filter(service__in=services).select_related("rating").order_by("pk"))
        if staff and services
        else []
    )
    return {"rows": rows, "is_applicant": is_applicant, "staff": staff, "tickets": tickets}
