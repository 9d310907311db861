"""What a case page reads of its case once per request, kept on the case instance the page loaded: the
guide's materials (the review form, the side-by-side rows and the completeness check all list them) and
the signed commitment (告知承诺), joined with the case when the page asked for it."""

from django.core.exceptions import ObjectDoesNotExist

from .models import Case, Commitment


def guide_materials(case: Case) -> list:
    """The materials of the case's guide in the guide's order (none without an item version), read once
    per case instance."""
    cached = case.__dict__.get("_guide_materials")
    if cached is None:
        version = case.item_version if case.item_version_id else None
        cached = list(version.materials.order_by("order", "pk")) if version is not None else []
        case.__dict__["_guide_materials"] = cached
    return cached


def case_commitment(case: Case) -> Commitment | None:
    """The case's commitment or None: from the case's own read when it joined the commitment
    (select_related("commitment")), else one query."""
    if Case.commitment.related.is_cached(case):
        try:
            return case.commitment
        except ObjectDoesNotExist:
            return None
    return Commitment.objects.filter(case=case).first()
