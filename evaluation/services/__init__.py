"""Writes of the ratings app (keyword-only, one transaction each). See docs/contracts.md."""

from .collect import CollectResult, invitation_send, services_collect
from .rating import rating_check_input, rating_submit, token_check
from .rectification import (
    appeal_decide,
    ticket_appeal,
    ticket_call_back,
    ticket_clock_readings,
    ticket_clock_recompute,
    ticket_open,
    ticket_rectify,
)
from .scan import ScanResult, ratings_scan

__all__ = [
    "CollectResult",
    "ScanResult",
    "appeal_decide",
    "invitation_send",
    "rating_check_input",
    "rating_submit",
    "ratings_scan",
    "services_collect",
    "ticket_appeal",
    "ticket_call_back",
    "ticket_clock_readings",
    "ticket_clock_recompute",
    "ticket_open",
    "ticket_rectify",
    "token_check",
]
