"""{% load law %}{% case_law_section case user %}: what the law gives the applicant on the case page —
the receipts, acceptance by operation of law, each supplement request with the items it named, and
an application by commitment (告知承诺) with its post-check and revocation."""

from django import template

from cases import permissions
from cases.constants import DocumentKind

register = template.Library()


@register.inclusion_tag("cases/_receipt_section.html")
def case_law_section(case, user):
    if case.pk is None:
        return {"case": case}
    commitment = getattr(case, "commitment", None) if _has_commitment(case) else None
    version = case.item_version if case.item_version_id else None
    may_sign = (
        commitment is None
        and version is not None
        and version.commitment_allowed
        and (
            (case.state == "draft" and permissions.is_applicant(case, user))
            or (case.state == "submitted" and permissions.is_receiving_clerk(case, user))
        )
    )
    return {
        "case": case,
        "receipts": list(case.documents.filter(kind=DocumentKind.RECEIPT).order_by("issued_at", "pk")),
        "requests": list(case.supplement_requests.order_by("requested_at", "pk").prefetch_related("items")),
        "commitment": commitment,
        "may_sign": may_sign,
    }


def _has_commitment(case) -> bool:
    from cases.models import Commitment

    return Commitment.objects.filter(case=case).exists()
