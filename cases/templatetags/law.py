"""{% load law %}{% case_law_section case user %}: what the law gives the applicant on the case page —
the receipts, acceptance by operation of law, each supplement request with the items it named, and
an application by commitment (告知承诺) with its post-check and revocation."""

from django import template

from cases import permissions
from cases.constants import DocumentKind
from cases.page_reads import case_commitment

register = template.Library()


@register.inclusion_tag("cases/_receipt_section.html")
def case_law_section(case, user, receipts=None, requests=None):
    """`receipts` and `requests`, when the page has read them already (the case's receipts in issue order,
    its supplement requests oldest first with their lines), are shown as they are instead of read again."""
    if case.pk is None:
        return {"case": case}
    commitment = case_commitment(case)
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
    if receipts is None:
        receipts = list(case.documents.filter(kind=DocumentKind.RECEIPT).order_by("issued_at", "pk"))
    if requests is None:
        requests = list(case.supplement_requests.order_by("requested_at", "pk").prefetch_related("items"))
    return {"case": case, "receipts": receipts, "requests": requests, "commitment": commitment, "may_sign": may_sign}
