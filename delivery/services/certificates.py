"""Keeping the e-certificate library's states current (GB/T 36903: 有效 / 注销 / 吊销 / 过期 / 被替代)."""

from django.db import transaction
from django.utils import timezone

from cases.constants import EventKind
from cases.models import CaseEvent

from ..constants import CertificateState
from ..models import Certificate


@transaction.atomic
def certificates_refresh(*, today=None) -> dict[str, int]:
    """Expire the valid certificates past their end date, and revoke those whose grant was revoked
    (the case's decision was withdrawn, e.g. a false commitment). Idempotent; run by beat daily."""
    today = today or timezone.localdate()
    now = timezone.now()
    expired = Certificate.objects.filter(state=CertificateState.VALID, valid_until__lt=today).update(
        state=CertificateState.EXPIRED, state_changed_at=now
    )
    revoked_cases = CaseEvent.objects.filter(kind=EventKind.GRANT_REVOKED).values("case_id")
    revoked = Certificate.objects.filter(
        state__in=[CertificateState.VALID, CertificateState.EXPIRED], case_id__in=revoked_cases
    ).update(state=CertificateState.REVOKED, state_changed_at=now)
    return {"expired": expired, "revoked": revoked}
