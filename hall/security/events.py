"""Security events: one append-only row (hall.models.SecurityEvent) and one JSON log line each, for the
system admin's page and for the log collector (GB/T 22239-2019 8.1.4.3 security audit).

A burst of refused accesses by one account (TONGBAN_SECURITY_BURST_COUNT in
TONGBAN_SECURITY_BURST_MINUTES; 20 in 10 by default) notifies the supervisors once per burst."""

import ipaddress
import json
import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..constants import SecurityEventKind, StaffRole
from ..models import SecurityEvent
from ..validators import ID_NUMBER_RE, MOBILE_RE, mask_id_number, mask_mobile, normalise_identifier

logger = logging.getLogger("tongban.security")


def client_ip(request) -> str | None:
    """The caller's address. Behind nginx every request comes from the proxy: when REMOTE_ADDR is one of
    TONGBAN_TRUSTED_PROXIES, the caller is the last address in X-Forwarded-For that is not a trusted
    proxy (nginx appends the address it saw; anything a client wrote there itself comes before it)."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = getattr(settings, "TONGBAN_TRUSTED_PROXIES", ())
    if remote in trusted:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        for address in reversed(forwarded):
            if address not in trusted:
                try:
                    return str(ipaddress.ip_address(address))
                except ValueError:  # not an address: what a client typed, not what nginx saw
                    return remote
    return remote


def masked_login(value: str) -> str:
    """A typed login name as it may be kept: ID numbers and mobiles masked (personal data in a log)."""
    typed = normalise_identifier(value or "")[:150]
    if ID_NUMBER_RE.fullmatch(typed):
        return mask_id_number(typed)
    if MOBILE_RE.fullmatch(typed):
        return mask_mobile(typed)
    return (value or "")[:150]


def security_event(
    *, kind: str, request=None, user=None, username: str = "", actor=None, detail: dict | None = None
) -> SecurityEvent:
    if user is not None and not getattr(user, "pk", None):
        user = None
    event = SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=masked_login(username or (user.username if user else "")),
        actor=actor,
        ip=client_ip(request),
        path=(request.path[:300] if request is not None else ""),
        detail=detail or {},
    )
    logger.info(
        json.dumps(
            {
                "event": kind,
                "at": event.created_at.isoformat(),
                "user_id": event.user_id,
                "username": event.username,
                "actor_id": event.actor_id,
                "ip": event.ip,
                "path": event.path,
                "detail": event.detail,
            },
            ensure_ascii=False,
            default=str,
        )
    )
    if kind == SecurityEventKind.ACCESS_REFUSED and event.user_id:
        burst_check(event.user)
    return event


def burst_check(user) -> bool:
    """Notify the supervisors when this account reaches the burst threshold of refused accesses (exactly
    at the threshold, so a burst raises one alarm, not one per further refusal)."""
    count_limit = settings.TONGBAN_SECURITY_BURST_COUNT
    since = timezone.now() - timedelta(minutes=settings.TONGBAN_SECURITY_BURST_MINUTES)
    refused = SecurityEvent.objects.filter(user=user, kind=SecurityEventKind.ACCESS_REFUSED, created_at__gte=since)
    if refused.count() != count_limit:
        return False
    burst = SecurityEvent.objects.create(
        kind=SecurityEventKind.BURST,
        user=user,
        username=masked_login(user.username),
        detail={"refused": count_limit, "minutes": settings.TONGBAN_SECURITY_BURST_MINUTES},
    )
    logger.warning(json.dumps({"event": "burst", "user_id": user.pk, "at": burst.created_at.isoformat()}))
    for supervisor in burst_recipients(user):
        from ..notices import notice_queue

        notice_queue(
            recipient=supervisor,
            kind="security_burst",
            subject=f"【安全告警】账号 {burst.username} 短时间内多次越权访问",
            body=(
                f"账号 {burst.username}（{user}）在 {settings.TONGBAN_SECURITY_BURST_MINUTES} 分钟内被拒绝访问 "
                f"{count_limit} 次，可能在尝试查看他人的办件。请在安全事件页面核查。"
            ),
            link="/security/events/?user=" + str(user.pk),
        )
    return True


def burst_recipients(user):
    """The supervisors of the halls the account works at; for a citizen, the supervisors of the city hall."""
    from ..models import StaffAssignment, User

    halls = list(StaffAssignment.objects.filter(user=user).values_list("hall_id", flat=True))
    supervisors = StaffAssignment.objects.filter(role=StaffRole.SUPERVISOR)
    if halls:
        supervisors = supervisors.filter(hall_id__in=halls)
    else:
        supervisors = supervisors.filter(hall__is_city_hall=True)
    return User.objects.filter(pk__in=supervisors.values("user_id"), is_active=True).order_by("pk")
