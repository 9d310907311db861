"""Writes on cases, one service per step (keyword-only, one transaction each: the transition, the
audit event, the applicant's notice and the document together). See docs/contracts.md."""

from ._common import CaseAlreadyHandled, event_record
from .apply import (
    Completeness,
    case_attach_material,
    case_create_bundle,
    case_create_draft,
    case_remove_material,
    case_submit,
    case_update_draft,
    case_withdraw,
    completeness_check,
)
from .bundle import bundle_follow, bundle_parent_state
from .counter import case_record_counter_application, counter_scans_keep, counter_scans_purge
from .decision import (
    case_approve_extension,
    case_deny,
    case_grant,
    case_request_extension,
    case_resume,
    case_suspend,
)
from .delivery_choice import allowed_delivery_methods, case_attach_held_certificates, case_delivery_choose
from .handoff import handoff_forward, handoff_receive, handoff_supplement_forward
from .handoff_result import handoff_result_arrive, handoff_result_send
from .intake import (
    case_accept,
    case_accept_with_deferral,
    case_refuse,
    case_request_supplement,
    case_supplement,
    default_appeal_rights,
    promised_completion,
)

__all__ = [
    "CaseAlreadyHandled",
    "Completeness",
    "bundle_follow",
    "bundle_parent_state",
    "allowed_delivery_methods",
    "case_accept",
    "case_attach_held_certificates",
    "case_delivery_choose",
    "case_accept_with_deferral",
    "case_approve_extension",
    "case_attach_material",
    "case_create_bundle",
    "case_create_draft",
    "case_deny",
    "case_grant",
    "case_record_counter_application",
    "case_refuse",
    "case_remove_material",
    "case_request_extension",
    "case_request_supplement",
    "case_resume",
    "case_submit",
    "case_supplement",
    "case_suspend",
    "case_update_draft",
    "case_withdraw",
    "completeness_check",
    "counter_scans_keep",
    "counter_scans_purge",
    "default_appeal_rights",
    "event_record",
    "handoff_forward",
    "handoff_receive",
    "handoff_result_arrive",
    "handoff_result_send",
    "handoff_supplement_forward",
    "promised_completion",
]
