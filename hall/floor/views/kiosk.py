"""The kiosk (取号机): big buttons by window category, a booking code pad, and the ticket it prints.
It stands in the hall and needs no login; it shows no personal data."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from ...constants import WindowCategory
from ...models import OpeningHours, Ticket
from ...ratelimit import over_limit
from ..clock import floor_now
from ..constants import CATEGORY_LETTER
from ..hours import periods_now
from ..selectors import ticket_place
from ..tickets import ticket_issue, ticket_issue_for_booking
from .common import hall_by_code, refusal

# A kiosk prints a ticket every few seconds at the busiest; more than this from one address in a minute is
# a script, not a queue (the kiosk page is public: it needs no login).
TOO_FAST = _("取号过于频繁，请稍后再试。")


def _too_fast(request) -> bool:
    limit = int(getattr(settings, "TONGBAN_KIOSK_TICKETS_PER_MINUTE", 30))
    return over_limit(request, "kiosk", limit=limit, window_seconds=60)


@require_GET
def kiosk(request, hall_code: str):
    hall = hall_by_code(hall_code)
    served = set(OpeningHours.objects.filter(hall=hall).values_list("category", flat=True))
    periods = periods_now(hall, floor_now())
    buttons = []
    for value, label in WindowCategory.choices:
        if value in served:
            period = periods.get(value)
            buttons.append(
                {
                    "value": value,
                    "label": label,
                    "letter": CATEGORY_LETTER[value],
                    "open": period is not None and not period.booking_only,
                }
            )
    return render(request, "hall/floor/kiosk.html", {"hall": hall, "buttons": buttons})


@require_POST
def kiosk_take(request, hall_code: str):
    hall = hall_by_code(hall_code)
    if _too_fast(request):
        refusal(request, ValidationError(TOO_FAST))
        return redirect("floor:kiosk", hall_code=hall.code)
    try:
        ticket = ticket_issue(
            hall=hall, category=request.POST.get("category", ""), id_number=request.POST.get("id_number", "")[:40]
        )
    except (ValidationError, PermissionDenied) as error:
        refusal(request, error if isinstance(error, ValidationError) else ValidationError(str(error)))
        return redirect("floor:kiosk", hall_code=hall.code)
    return redirect("floor:ticket", hall_code=hall.code, pk=ticket.pk)


@require_POST
def kiosk_booking(request, hall_code: str):
    hall = hall_by_code(hall_code)
    if _too_fast(request):
        refusal(request, ValidationError(TOO_FAST))
        return redirect("floor:kiosk", hall_code=hall.code)
    try:
        ticket = ticket_issue_for_booking(hall=hall, code=request.POST.get("code", "")[:20])
    except ValidationError as error:
        refusal(request, error)
        return redirect("floor:kiosk", hall_code=hall.code)
    return redirect("floor:ticket", hall_code=hall.code, pk=ticket.pk)


@require_GET
def ticket(request, hall_code: str, pk: int):
    hall = hall_by_code(hall_code)
    ticket = get_object_or_404(Ticket.objects.select_related("window"), hall=hall, pk=pk)
    return render(request, "hall/floor/ticket.html", {"hall": hall, "ticket": ticket, "place": ticket_place(ticket)})
