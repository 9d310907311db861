"""Celery tasks of delivery: thin, they call the services (run by beat, see settings)."""

from celery import shared_task

from .services import certificates_refresh, electronic_deliveries_by_notice


@shared_task(acks_late=True)
def electronic_delivery_scan() -> int:
    """Electronic results whose notice has been read count as delivered (行政许可法 Art. 44)."""
    return electronic_deliveries_by_notice()


@shared_task(acks_late=True)
def certificate_states_refresh() -> dict:
    """Expire certificates past their end date; revoke those whose grant was revoked."""
    return certificates_refresh()
