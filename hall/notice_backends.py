"""Channel backends for notices. SMS goes through a pluggable backend named by the setting
TONGBAN_SMS_BACKEND (a dotted path to a class with `send(*, mobile, text)`); the default writes to
a log. E-mail goes through Django's e-mail backend (EMAIL_BACKEND). The inbox needs no backend:
marking its delivery sent is what shows the notice in the inbox."""

from __future__ import annotations

import logging
from functools import cache

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

from .constants import NoticeChannel
from .models import NoticeDelivery

logger = logging.getLogger("tongban.sms")


class LogSmsBackend:
    """Writes each SMS to the `tongban.sms` log instead of a gateway (development and demo)."""

    def send(self, *, mobile: str, text: str) -> None:
        logger.info("SMS to %s***%s: %s", mobile[:3], mobile[-4:], text)


@cache
def _sms_backend_class(path: str):
    return import_string(path)


def sms_backend():
    return _sms_backend_class(getattr(settings, "TONGBAN_SMS_BACKEND", "hall.notice_backends.LogSmsBackend"))()


def _context(delivery: NoticeDelivery) -> dict:
    notice = delivery.notice
    return {
        "notice": notice,
        "recipient": notice.recipient,
        "site_url": settings.SITE_URL.rstrip("/"),
    }


def send_through_channel(delivery: NoticeDelivery) -> None:
    """Send one claimed delivery; raise on failure (the caller records it and retries)."""
    context = _context(delivery)
    if delivery.channel == NoticeChannel.INBOX:
        return  # the inbox reads the database: marking the delivery sent delivers it
    if delivery.channel == NoticeChannel.SMS:
        text = render_to_string("notices/sms.txt", context).strip()
        sms_backend().send(mobile=delivery.address, text=text)
        return
    if delivery.channel == NoticeChannel.EMAIL:
        subject = render_to_string("notices/email_subject.txt", context).strip().replace("\n", " ")
        text = render_to_string("notices/email_body.txt", context)
        html = render_to_string("notices/email_body.html", context)
        send_mail(subject, text, None, [delivery.address], html_message=html)
        return
    raise ValueError(f"unknown channel {delivery.channel}")
