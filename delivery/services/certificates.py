"""Keeping the e-certificate library's states current (GB/T 36903: 有效 / 注销 / 吊销 / 过期 / 被替代)."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cases.constants import EventKind
from cases.models import CaseEvent

from ..constants import CertificateState
from ..models import Certificate


def _revoke_where_grant_revoked(certificates: QuerySet, now) -> int:
    """Revoke the certificates among `certificates` whose case's grant was revoked (the case's
    GRANT_REVOKED event: the decision was withdrawn, e.g. a false commitment, 行政许可法 Art. 69)."""
    revoked_cases = CaseEvent.objects.filter(kind=EventKind.GRANT_REVOKED).values("case_id")
    return certificates.filter(
        state__in=[CertificateState.VALID, CertificateState.EXPIRED], case_id__in=revoked_cases
    ).update(state=CertificateState.REVOKED, state_changed_at=now)


@transaction.atomic
def certificates_refresh(*, today=None) -> dict[str, int]:
    """Expire the valid certificates past their end date, and revoke those whose grant was revoked
    (the case's decision was withdrawn, e.g. a false commitment). Idempotent; run by beat as the safety
    net of `certificates_revoke`."""
    today = today or timezone.localdate()
    now = timezone.now()
    expired = Certificate.objects.filter(state=CertificateState.VALID, valid_until__lt=today).update(
        state=CertificateState.EXPIRED, state_changed_at=now
    )
    revoked = _revoke_where_grant_revoked(Certificate.objects.all(), now)
    return {"expired": expired, "revoked": revoked}


@transaction.atomic
def certificates_revoke(*, case) -> int:
    """The certificates of `case` follow the revocation of its grant at once: 我的证照, the public
    certificate check and certificate reuse at application read 吊销 from the revoking transaction on.
    Registered in delivery's AppConfig as the listener of cases.registry.grant_revoked; reads the
    revocation from the case's events itself (nothing revoked: nothing changes)."""
    return _revoke_where_grant_revoked(Certificate.objects.filter(case_id=case.pk), timezone.now())
