"""Rating pages: through a single-use link or QR code (no login), as the logged-in applicant, and on
the window tablet. Each parses the form, calls rating_submit, shows its refusal next to the field."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from cases.views.common import client_ip
from hall.pdf import absolute_url, qr_data_uri

from ..constants import BAD_LEVELS, Level, RatingChannel, RatingKind, TokenPurpose
from ..forms import FIELD_OF_CODE, RatingForm
from ..models import RatingDevice
from ..reasons import reason_tags
from ..selectors import get_service_for_applicant, rating_state, tablet_device, tablet_service, tablet_token
from ..services import rating_submit, services_collect, token_check
from ..services._common import token_link

TABLET_COLLECT_SECONDS = 3
KIND_OF_PURPOSE = {TokenPurpose.INVITATION: RatingKind.FIRST, TokenPurpose.FOLLOW_UP: RatingKind.FOLLOW_UP}


def _channel(request, token=None) -> str:
    """How the rating came in: the tablet or terminal the token was made for, a scanned QR code, or
    the kind of browser (mobile / PC)."""
    if token is not None and token.channel in (RatingChannel.TABLET, RatingChannel.TERMINAL):
        return token.channel
    if request.GET.get("via") == "qr":
        return RatingChannel.QR
    agent = request.META.get("HTTP_USER_AGENT", "")
    return RatingChannel.MOBILE if "Mobile" in agent or "Android" in agent else RatingChannel.PC


def _context(service, form, **extra) -> dict:
    return {
        "service": service,
        "form": form,
        "levels": Level.choices,
        "bad_levels": [int(level) for level in BAD_LEVELS],
        "tags_by_level": [(level, Level(level).label, tags) for level, tags in reason_tags().items()],
        "chosen_tags": set(form["tags"].value() or []) if form.is_bound else set(),
        "chosen_level": str(form["level"].value() or ""),
        **extra,
    }


def _submit(request, form, *, service, kind, token=None, user=None) -> bool:
    """Call the service; on refusal put its message on the form. True when stored."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        rating_submit(
            service=service,
            level=data["level"],
            tags=data["tag_codes"],
            text=data["text"],
            anonymous=data["anonymous"],
            channel=_channel(request, token),
            kind=kind,
            user=user,
            token=token,
            ip=client_ip(request),
        )
    except ValidationError as exc:
        form.add_error(FIELD_OF_CODE.get(getattr(exc, "code", None)), exc)
        return False
    return True


@never_cache
def rate_token(request, token: str):
    """The page behind the invitation link, its QR code and the window tablet (no login needed)."""
    try:
        found = token_check(token)
    except ValidationError as exc:
        return render(request, "evaluation/token_refused.html", {"message": exc.messages[0]}, status=400)
    service = found.service
    kind = KIND_OF_PURPOSE[found.purpose]
    device = _device(request)
    form = RatingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and _submit(request, form, service=service, kind=kind, token=found):
        messages.success(request, _("感谢您的评价！"))
        if device is not None:
            return redirect("evaluation:tablet", key=device.key)
        return redirect("evaluation:thanks")
    state = rating_state(service) if kind == RatingKind.FIRST else None
    context = _context(service, form, kind=kind, action=request.get_full_path(), device=device, state=state)
    return render(request, "evaluation/rate.html", context, status=400 if form.errors else 200)


def _device(request):
    key = request.POST.get("device") or request.GET.get("device")
    if not key:
        return None
    return RatingDevice.objects.filter(key=key, is_active=True).first()


@login_required
def rate_service(request, pk: int):
    """The logged-in applicant rates their own service (一事一评 from the case page), or follows up."""
    service = get_service_for_applicant(request.user, pk)
    kind = RatingKind.FOLLOW_UP if request.GET.get("kind") == "follow_up" else RatingKind.FIRST
    form = RatingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            stored = _submit(request, form, service=service, kind=kind, user=request.user)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            stored = False
        if stored:
            messages.success(request, _("感谢您的评价！"))
            return redirect("cases:detail", service.case_id) if service.case_id else redirect("evaluation:thanks")
    state = rating_state(service)
    context = _context(service, form, kind=kind, action=request.get_full_path(), state=state)
    return render(request, "evaluation/rate.html", context, status=400 if form.errors else 200)


def thanks(request):
    return render(request, "evaluation/thanks.html")


@never_cache
def tablet(request, key: str):
    """The window's rating tablet: the service just finished at this window, rated by the person
    served with a single-use token; a QR code to rate on their own phone instead."""
    device = tablet_device(key)
    # Collecting on GET is bookkeeping, not the visitor's change: it records services that have
    # already finished (idempotent), so the tablet shows the one just finished without waiting for beat.
    # Every tablet of a hall reloads while it waits: one collect per few seconds is enough for all.
    if cache.add("evaluation:tablet-collect", 1, TABLET_COLLECT_SECONDS):
        services_collect()
    service = tablet_service(device)
    context = {"device": device, "window": device.window, "service": service}
    if service is not None:
        token = tablet_token(service)
        form = RatingForm()
        qr_token_url = absolute_url(token_link(token, qr=True))
        context.update(
            _context(service, form, kind=RatingKind.FIRST, action=f"{token_link(token)}", device=device),
            token=token,
            qr=qr_data_uri(qr_token_url),
        )
    return render(request, "evaluation/tablet.html", context)
