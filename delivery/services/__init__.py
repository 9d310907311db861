"""Writes of the delivery app (keyword-only, one transaction each, with the case's events and notices).
See docs/contracts.md, section delivery."""

from .archive import case_archive, package_build, package_verify
from .certificates import certificates_refresh, certificates_revoke
from .handout import (
    delivery_electronic,
    delivery_pickup,
    delivery_post,
    delivery_post_outcome,
    electronic_deliveries_by_notice,
    tracking_number_clean,
)
from .handover import result_handover, result_handover_receive
from .results import holder_of, is_produced, result_document, result_produce

__all__ = [
    "case_archive",
    "certificates_refresh",
    "certificates_revoke",
    "delivery_electronic",
    "delivery_pickup",
    "delivery_post",
    "delivery_post_outcome",
    "electronic_deliveries_by_notice",
    "holder_of",
    "is_produced",
    "package_build",
    "package_verify",
    "result_document",
    "result_handover",
    "result_handover_receive",
    "result_produce",
    "tracking_number_clean",
]
