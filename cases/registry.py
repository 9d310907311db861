"""Look-ups that cases declares and a higher app provides (imports point evaluation, delivery → cases).

Certificate reuse (电子证照复用, seeds 001 and 004: what the government already issued is not asked of
the applicant again): when an application needs a material that is a certificate the holder already
holds, the material is attached from the e-certificate library. cases asks through
`certificate_lookup`; the delivery app registers the provider in its AppConfig.ready. Without a
provider the answer is always "not held".
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HeldCertificate:
    """A valid certificate of the holder that satisfies a material of the guide."""

    number: str
    type_name: str
    issuer_name: str
    file_name: str  # storage name of the certificate's PDF (cases.Document.file)
    sha256: str


CertificateProvider = Callable[[str, object], HeldCertificate | None]
_certificate_providers: list[CertificateProvider] = []


def register_certificate_lookup(provider: CertificateProvider) -> None:
    """Called once per process by the providing app (idempotent)."""
    if provider not in _certificate_providers:
        _certificate_providers.append(provider)


def certificate_lookup(holder_code: str, material) -> HeldCertificate | None:
    """The valid certificate held by `holder_code` (ID number or credit code) that is `material`
    (an items.Material), or None."""
    if not holder_code:
        return None
    for provider in _certificate_providers:
        held = provider(holder_code, material)
        if held is not None:
            return held
    return None


def holder_code_of(case) -> str:
    """Whose certificates count for a case: the enterprise's credit code, else the applicant's ID number."""
    if case.enterprise_id:
        return case.enterprise.credit_code
    return case.applicant.id_number or ""


# Revocation of a grant (撤销行政许可, 行政许可法 Art. 69): what the grant issued elsewhere (the certificate in
# the e-certificate library) must stop counting at once, in the revoking transaction, not at the next
# periodic scan. cases announces the revocation after recording it; each listening app reads the
# revocation itself (the case's GRANT_REVOKED event) and updates what it owns.
GrantRevokedListener = Callable[..., object]
_grant_revoked_listeners: list[GrantRevokedListener] = []


def register_grant_revoked(listener: GrantRevokedListener) -> None:
    """Called once per process by the listening app (idempotent); the listener is called as
    `listener(case=case)`."""
    if listener not in _grant_revoked_listeners:
        _grant_revoked_listeners.append(listener)


def grant_revoked(case) -> None:
    """Tell the listening apps that the grant of `case` has been revoked (its GRANT_REVOKED event is recorded)."""
    for listener in _grant_revoked_listeners:
        listener(case=case)
