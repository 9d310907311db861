"""Celery tasks of cases: thin, they call the services in cases.sla."""

from celery import shared_task

from hall.workdays import workdays_changed

from . import sla
from .services import counter_scans_purge as purge_held_scans


@shared_task(acks_late=True)
def sla_scan() -> dict:
    """Beat task: accept by law what passed its intake window (Art. 32), then record and notify the
    clocks that reached a warning level."""
    result = sla.sla_scan()
    return {
        "scanned": result.scanned,
        "recorded": result.recorded,
        "notices": result.notices,
        "accepted_by_law": len(result.accepted_by_law),
    }


@shared_task(acks_late=True)
def case_clocks_recompute(case_ids: list[int] | None = None) -> int:
    """After an admin edited the calendar: recompute the clocks of open cases (then scan)."""
    workdays_changed()  # this worker may hold the calendar from before the edit
    changed = sla.case_clocks_recompute(case_ids=case_ids)
    sla.sla_scan()
    return changed


@shared_task(acks_late=True)
def counter_scans_purge() -> int:
    """Beat task: delete the scans held for counter forms that were abandoned."""
    return purge_held_scans()
