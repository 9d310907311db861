"""Second factor (GB/T 22239-2019 8.1.4.1 c: two or more authentication techniques, one of them
cryptographic): TOTP (RFC 6238) through django-otp, with single-use recovery codes.

Every staff and admin account must use it; a citizen may opt in (then it is required for them too).
A code is accepted once (django-otp keeps the last time step used: a replayed code is refused) and only
within one 30-second step either side of now (an older code is expired); failures slow further tries."""

import base64
import secrets

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..constants import AccountKind, SecurityEventKind, StaffRole
from .events import security_event

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "动态口令"
RECOVERY_NAME = "恢复码"


def otp_required(user) -> bool:
    """Staff and admin accounts always; a citizen once they have enrolled (opted in)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser or user.kind == AccountKind.STAFF:
        return True
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# The device that verified a session, as each request's OTPMiddleware looks it up: kept in the shared
# cache (a query per staff page otherwise) and dropped whenever the device is saved or deleted
# (signals.py); the lifetime bounds a change that sent no signal.
DEVICE_CACHE_SECONDS = 300


def _device_key(persistent_id: str) -> str:
    from ..usercache import key_prefix

    return f"{key_prefix()}:otp-device:{persistent_id}"


def device_by_persistent_id(persistent_id: str):
    """django-otp's Device.from_persistent_id through the shared cache (a missing device is not cached)."""
    device = cache.get(_device_key(persistent_id))
    if device is None:
        device = Device.from_persistent_id(persistent_id)
        if device is not None:
            cache.set(_device_key(persistent_id), device, DEVICE_CACHE_SECONDS)
    return device


def device_forget(device) -> None:
    """Drop the cached copy of `device`, now and again once the transaction commits."""
    key = _device_key(device.persistent_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (one per account; a new secret each enrolment)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False, tolerance=1)
    return device


def base32_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps expect it to be typed (RFC 4648 base32, in groups of four)."""
    text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def clean_code(code) -> str:
    return "".join(ch for ch in str(code or "") if not ch.isspace() and ch != "-").lower()


def recovery_codes_new(user) -> list[str]:
    """Ten new single-use recovery codes; the previous ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return [f"{c[:4]}-{c[4:]}" for c in codes]


@transaction.atomic
def otp_enrol_confirm(*, user, code, request=None) -> list[str]:
    """Confirm the enrolment with a first code from the app; returns the recovery codes (shown once)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        raise ValidationError(_("请先扫描二维码绑定动态口令。"), code="no_device")
    if not device.verify_token(clean_code(code)):
        security_event(kind=SecurityEventKind.OTP_FAILED, request=request, user=user, detail={"step": "enrol"})
        raise ValidationError(_("动态口令不正确或已过期，请输入手机应用中当前显示的6位数字。"), code="bad_code")
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_new(user)
    security_event(kind=SecurityEventKind.OTP_ENROLLED, request=request, user=user)
    return codes


def otp_check(*, user, code, request=None):
    """The device that accepts `code` (a TOTP code or a recovery code, which is then used up), or None.
    A wrong, replayed or expired code is recorded as a security event."""
    code = clean_code(code)
    device = None
    if code.isdigit() and len(code) == 6:
        candidate = totp_device(user)
        if candidate is not None and candidate.verify_token(code):
            device = candidate
    elif code.isdigit() and len(code) == 8:
        recovery = StaticDevice.objects.filter(user=user, name=RECOVERY_NAME).first()
        if recovery is not None and recovery.verify_token(code):
            device = recovery
            security_event(kind=SecurityEventKind.RECOVERY_CODE_USED, request=request, user=user)
    if device is None:
        security_event(kind=SecurityEventKind.OTP_FAILED, request=request, user=user, detail={"step": "login"})
    return device


def sessions_end_all(user):
    """Every session of `user` started before now becomes void at its next request; returns that moment."""
    now = timezone.now()
    from ..models import User

    User.objects.filter(pk=user.pk).update(sessions_valid_after=now)
    user.sessions_valid_after = now
    return now


@transaction.atomic
def otp_reset(*, admin, user, reason: str, request=None) -> None:
    """A system admin removes an account's second factor (lost phone); the account enrols again at its
    next login, and all its sessions end. Recorded with who, whom and why."""
    if not (admin.is_superuser or admin.assignments.filter(role=StaffRole.SYSTEM_ADMIN).exists()):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写重置原因（如手机遗失，已核实本人身份）。"), code="reason")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    sessions_end_all(user)
    security_event(
        kind=SecurityEventKind.OTP_RESET, request=request, user=user, actor=admin, detail={"reason": reason[:500]}
    )


def demo_totp_seed(secret_base32: str) -> int:
    """Demo only: give every staff account without a second factor the same fixed TOTP secret (printed in
    the README), so that reviewers can log in. Never called outside the demo settings."""
    from ..models import User

    key = base64.b32decode(secret_base32.replace(" ", "").upper() + "=" * (-len(secret_base32.replace(" ", "")) % 8))
    made = 0
    for user in User.objects.filter(kind=AccountKind.STAFF).exclude(totpdevice__confirmed=True):
        TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=True, key=key.hex(), tolerance=1)
        made += 1
    return made
