"""Which categories each window calls (set by the hall's system admin on the hours page)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..constants import WindowCategory
from ..models import Window, WindowSeat
from .tickets import seat_for


@transaction.atomic
def window_categories_set(*, window: Window, categories: list[str]) -> WindowSeat:
    """Set the categories `window` calls; at least one, each a known window category."""
    chosen = [value for value in WindowCategory.values if value in set(categories)]
    if not chosen or len(chosen) != len(set(categories)):
        raise ValidationError(_("请至少选择一个有效的窗口类别。"), code="categories")
    seat = WindowSeat.objects.select_for_update().get(pk=seat_for(window).pk)
    seat.categories = chosen
    seat.save(update_fields=["categories"])
    return seat
