"""A citizen's own bookings (我的预约): the code to type at the kiosk, and cancelling."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ...models import Booking
from ..booking import booking_blocked_until, booking_cancel
from ..selectors import bookings_for_citizen
from .common import refusal


@login_required
@require_GET
def bookings(request):
    return render(
        request,
        "hall/floor/bookings.html",
        {"bookings": bookings_for_citizen(request.user), "blocked_until": booking_blocked_until(request.user)},
    )


@login_required
@require_POST
def booking_cancel_view(request, pk: int):
    booking = get_object_or_404(Booking, pk=pk, citizen=request.user)  # someone else's: 404
    try:
        booking_cancel(booking=booking, citizen=request.user)
    except ValidationError as error:
        refusal(request, error)
    else:
        messages.success(request, _("已取消预约 %(code)s。") % {"code": booking.code})
    return redirect("floor:bookings")
