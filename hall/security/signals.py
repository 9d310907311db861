"""Security events from Django's and django-axes' signals: logins, failures, lockouts and every change
made through the Django admin (its LogEntry). Role changes are recorded by the user admin itself, with
who made them (hall/admin.py)."""

from axes.signals import user_locked_out
from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..constants import SecurityEventKind
from .events import security_event
from .otp import device_forget, otp_required
from .sessions import session_stamp


@receiver(user_logged_in, dispatch_uid="security_session_stamp")
def _logged_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    session_stamp(request.session)
    request.session["sec_otp"] = otp_required(user)


@receiver(user_login_failed, dispatch_uid="security_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    security_event(
        kind=SecurityEventKind.LOGIN_FAILED, request=request, username=str((credentials or {}).get("username", ""))
    )


@receiver(user_locked_out, dispatch_uid="security_locked_out")
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    security_event(kind=SecurityEventKind.LOCKOUT, request=request, username=str(username or ""))


@receiver(post_save, sender=LogEntry, dispatch_uid="security_admin_edit")
def _admin_edit(sender, instance, created, **kwargs):
    if not created:
        return
    security_event(
        kind=SecurityEventKind.ADMIN_EDIT,
        user=instance.user,
        detail={
            "model": f"{instance.content_type.app_label}.{instance.content_type.model}"
            if instance.content_type
            else "",
            "object": instance.object_repr[:200],
            "action": {1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, str(instance.action_flag)),
            "message": instance.get_change_message()[:500],
        },
    )


@receiver([post_save, post_delete], sender=TOTPDevice, dispatch_uid="security_totp_device_changed")
@receiver([post_save, post_delete], sender=StaticDevice, dispatch_uid="security_static_device_changed")
def _device_changed(sender, instance, **kwargs):
    device_forget(instance)
