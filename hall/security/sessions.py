"""Session limits (GB/T 22239-2019 8.1.4.1 b: end a session after a time without activity).

Staff sessions end after TONGBAN_STAFF_IDLE_MINUTES without a request (30) and in any case
TONGBAN_STAFF_SESSION_MAX_HOURS after login (12). Any account can end all its sessions; a password change
ends the others (Django's session hash, plus the same epoch). The epoch ("sessions before this moment are
void", User.sessions_valid_after) is on the account row already loaded for the request: no extra query."""

import time

from django.conf import settings

from ..constants import AccountKind

STARTED = "sec_started"  # login time (epoch seconds): the maximum lifetime counts from here
SEEN = "sec_seen"  # last request (epoch seconds): the idle limit counts from here
EPOCH = "sec_epoch"  # when this session became valid: compared with the account's sessions_valid_after
TEST_VERIFIED = "otp_test_verified"  # tests only, honoured when TONGBAN_OTP_TEST_SESSIONS is on


def session_stamp(session, *, now: float | None = None) -> None:
    now = now or time.time()
    session[STARTED] = now
    session[SEEN] = now
    session[EPOCH] = now + 0.001


def is_staff_account(user) -> bool:
    return user.is_staff or user.is_superuser or user.kind == AccountKind.STAFF


def session_problem(request, now: float | None = None) -> str | None:
    """Why this session must end now ("idle", "lifetime", "ended"), or None; refreshes the idle clock."""
    now = now or time.time()
    session, user = request.session, request.user
    started = session.get(STARTED)
    if started is None:  # a session from before these limits: start counting now
        session_stamp(session, now=now)
        started = now
    valid_after = user.sessions_valid_after
    if valid_after is not None and session.get(EPOCH, started) < valid_after.timestamp():
        return "ended"
    if is_staff_account(user):
        if now - session.get(SEEN, now) > settings.TONGBAN_STAFF_IDLE_MINUTES * 60:
            return "idle"
        if now - started > settings.TONGBAN_STAFF_SESSION_MAX_HOURS * 3600:
            return "lifetime"
    if now - session.get(SEEN, 0) > 30:  # write the session at most every 30 seconds
        session[SEEN] = now
    return None
