"""Celery tasks of the ratings app: thin, they call the services."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def services_collect() -> dict:
    """Beat task (every minute): find finished services and invite the applicants to rate them."""
    result = services.services_collect()
    return {"services": result.services, "invitations": result.invitations}


@shared_task(acks_late=True)
def ratings_scan() -> dict:
    """Beat task: count 未评价 services and keep the rectification clocks' warning levels current."""
    result = services.ratings_scan()
    return {"unrated": result.unrated, "tickets": result.tickets_scanned, "changed": result.levels_changed}
