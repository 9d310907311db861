"""Channel backends for notices.

SMS goes through a pluggable backend named by the setting TONGBAN_SMS_BACKEND: a dotted path to a
class with ``send(*, mobile, text, idempotency_key)``. The key is the same on every retry and resend
of one channel of one notice ("tongban-notice-<notice id>-sms"): a gateway that honours it sends a
message once however often it is handed over, which is what makes a resend after a lost
acknowledgement harmless. ``send`` raises on failure; it returns None, or ``DUPLICATE`` when the
gateway recognised the key and sent nothing again. A backend written for the older contract
``send(*, mobile, text)`` is still called (without the key, with a warning once per process and the
system check hall.W002), but then nothing protects against a double send.

E-mail goes through Django's e-mail backend (EMAIL_BACKEND) with the key as a stable Message-ID and an
X-Idempotency-Key header, so that a relay that de-duplicates sends it once. The inbox needs no backend:
marking its delivery sent is what shows the notice in the inbox."""

from __future__ import annotations

import inspect
import logging
import os
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache as django_cache
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

from .constants import NoticeChannel
from .models import NoticeDelivery

logger = logging.getLogger("tongban.sms")

# What a backend returns when the gateway already had the idempotency key and did not send again.
DUPLICATE = "duplicate"
# How long the log backend remembers a key (a gateway keeps its keys for a day or so).
KEY_MEMORY_SECONDS = 24 * 3600


class LogSmsBackend:
    """Writes each SMS to the `tongban.sms` log instead of a gateway (development and demo). It
    remembers the keys it has seen in the cache (shared by every process when CACHE_URL is Redis) and
    logs a second hand-over of the same key as a duplicate instead of a second SMS."""

    def send(self, *, mobile: str, text: str, idempotency_key: str = "") -> str | None:
        if idempotency_key and not _first_time(idempotency_key):
            logger.info("SMS %s already sent: not sent again", idempotency_key)
            return DUPLICATE
        logger.info("SMS to %s***%s (%s): %s", mobile[:3], mobile[-4:], idempotency_key or "-", text)
        return None


def _first_time(key: str) -> bool:
    try:
        return django_cache.add(f"tongban:sms-key:{key}", 1, KEY_MEMORY_SECONDS)
    except Exception:  # noqa: BLE001 - a cache outage must not stop the SMS; the log shows it once
        logger.warning("SMS key cache unavailable; %s sent without de-duplication", key)
        return True


class FileSmsGateway:
    """A stand-in for an SMS gateway that honours idempotency keys, for demos, load runs and the
    fault bench: each accepted SMS is one line "mobile<TAB>key<TAB>text" in the file named by the
    setting TONGBAN_SMS_FILE; a key seen before (by any process on the machine: one marker file per
    key, created exclusively) is not sent again but written as one line to "<file>.duplicates"."""

    def __init__(self, path: str | None = None):
        self.path = Path(path or getattr(settings, "TONGBAN_SMS_FILE", "") or settings.VAR_DIR / "sms.log")

    def send(self, *, mobile: str, text: str, idempotency_key: str = "") -> str | None:
        if idempotency_key and not self._claim_key(idempotency_key):
            self._append(Path(f"{self.path}.duplicates"), f"{idempotency_key}\t{mobile}\n")
            return DUPLICATE
        text = " ".join(text.split())
        self._append(self.path, f"{mobile}\t{idempotency_key}\t{text}\n")
        return None

    def _claim_key(self, key: str) -> bool:
        keys = Path(f"{self.path}.keys")
        keys.mkdir(parents=True, exist_ok=True)
        try:
            os.close(os.open(keys / key, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            return False
        return True

    @staticmethod
    def _append(path: Path, line: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as out:
            out.write(line)
            out.flush()
            os.fsync(out.fileno())


@cache
def _sms_backend_class(path: str):
    return import_string(path)


@cache
def takes_idempotency_key(backend_class) -> bool:
    """Whether the backend's send() accepts the idempotency key (or any keyword)."""
    try:
        parameters = inspect.signature(backend_class.send).parameters.values()
    except (TypeError, ValueError):
        return True
    ok = any(p.name == "idempotency_key" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    if not ok:
        logger.warning(
            "SMS backend %s.%s takes no idempotency_key: a resent SMS may reach the citizen twice",
            backend_class.__module__,
            backend_class.__qualname__,
        )
    return ok


def sms_backend_path() -> str:
    return getattr(settings, "TONGBAN_SMS_BACKEND", "hall.notice_backends.LogSmsBackend")


def sms_backend():
    return _sms_backend_class(sms_backend_path())()


def _context(delivery: NoticeDelivery) -> dict:
    notice = delivery.notice
    return {
        "notice": notice,
        "recipient": notice.recipient,
        "site_url": settings.SITE_URL.rstrip("/"),
    }


def message_id(idempotency_key: str) -> str:
    """A Message-ID that is the same on every resend of one e-mail notice."""
    domain = (settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "tongban.example").strip("> ")
    return f"<{idempotency_key}@{domain}>"


def send_through_channel(delivery: NoticeDelivery) -> str | None:
    """Send one claimed delivery with its idempotency key; raise on failure (the caller records it and
    retries). Returns DUPLICATE when the gateway said it had sent this key already, else None."""
    key = delivery.idempotency_key
    if delivery.channel == NoticeChannel.INBOX:
        return None  # the inbox reads the database: marking the delivery sent delivers it
    context = _context(delivery)
    if delivery.channel == NoticeChannel.SMS:
        text = render_to_string("notices/sms.txt", context).strip()
        backend = sms_backend()
        if takes_idempotency_key(type(backend)):
            result = backend.send(mobile=delivery.address, text=text, idempotency_key=key)
        else:
            result = backend.send(mobile=delivery.address, text=text)
        return DUPLICATE if result == DUPLICATE else None
    if delivery.channel == NoticeChannel.EMAIL:
        subject = render_to_string("notices/email_subject.txt", context).strip().replace("\n", " ")
        text = render_to_string("notices/email_body.txt", context)
        html = render_to_string("notices/email_body.html", context)
        message = EmailMultiAlternatives(
            subject, text, None, [delivery.address], headers={"Message-ID": message_id(key), "X-Idempotency-Key": key}
        )
        message.attach_alternative(html, "text/html")
        message.send()
        return None
    raise ValueError(f"unknown channel {delivery.channel}")
