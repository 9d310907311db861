"""Keeping the summary of the public figures (FigureRow) current, inside the caller's transaction.

Every change is an F() increment of one row keyed by the service's month, hall, department and
item, so two ratings at once add up and the public page never reads the ratings themselves."""

from __future__ import annotations

from django.db.models import F

from hall.pagecache import generation, generation_bump

from ..models import FigureRow, Service

# The generation of everything cached from the summary: the public page and its figures.
FIGURE_PAGES = "rating-figures"


def figure_key(service: Service) -> str:
    return f"{service.month:%Y-%m}:{service.hall_id}:{service.department_id or 0}:{service.item_id or 0}"


def figure_add(service: Service, **deltas: int) -> None:
    """Add `deltas` (counter name → change) to the service's summary row, creating it if needed."""
    deltas = {name: value for name, value in deltas.items() if value}
    if not deltas:
        return
    key = figure_key(service)
    row, _ = FigureRow.objects.get_or_create(
        key=key,
        defaults={
            "month": service.month,
            "hall_id": service.hall_id,
            "department_id": service.department_id,
            "item_id": service.item_id,
        },
    )
    FigureRow.objects.filter(pk=row.pk).update(**{name: F(name) + value for name, value in deltas.items()})
    generation_bump(FIGURE_PAGES)


def figures_generation() -> int:
    return generation(FIGURE_PAGES)


def level_field(level: int) -> str:
    return f"level_{int(level)}"
