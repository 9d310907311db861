"""{% load evaluation %}{% case_ratings case %}: the ratings section of the case page — for the
applicant, each finished service with its rating link; for staff who may see the tickets, the
ratings (anonymous ones without the name) and their rectification tickets."""

from django import template
from django.utils import timezone

from hall.pdf import absolute_url, qr_data_uri

from ..constants import RatingKind, TokenPurpose
from ..models import RatingToken, RectificationTicket
from ..selectors import can_see_tickets, rating_state, services_for_case
from ..services._common import token_link

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
    # The QR code goes beside the rating link only: the invitations of the services the applicant may rate.
    to_rate = [row["service"] for row in rows if row["state"] and row["state"]["can_rate"]]
    invitations = _invitations(to_rate) if to_rate else {}
    for row in rows:
        row["qr"] = invitations.get(row["service"].pk)
    staff = not is_applicant and can_see_tickets(user)
    tickets = (
        list(RectificationTicket.objects.filter(service__in=services).select_related("rating").order_by("pk"))
        if staff and services
        else []
    )
    return {"rows": rows, "is_applicant": is_applicant, "staff": staff, "tickets": tickets}


def _invitations(services) -> dict[int, str]:
    """A QR code of each unused invitation link, to rate on a phone (the link is single-use)."""
    tokens = RatingToken.objects.filter(
        service__in=services, purpose=TokenPurpose.INVITATION, used_at__isnull=True, expires_at__gt=timezone.now()
    ).exclude(channel="tablet")
    return {token.service_id: qr_data_uri(absolute_url(token_link(token, qr=True))) for token in tokens}
