"""What every page of a logged-in user shows about them, from the shared cache: their staff assignments
(the navigation, the permissions and the audit of a request) and the unread count of their inbox (the
navbar). Both are read in one round trip with the session's neighbours instead of two queries per page,
and dropped on each write that changes them:

1. an assignment saved or deleted drops its user's entry; a hall, region, department or window renamed
   or removed drops the entries of everyone assigned there (the entry holds their names);
2. a notice delivered to the inbox, or read, drops its recipient's count (notices.py);
3. each drop is done now and again once the transaction commits, so that a request reading the old rows
   in between cannot leave them cached; every entry also expires after a few minutes, so that a write
   that bypassed the model (a bulk update in a data migration) is seen soon all the same.

The keys carry the database's name: a cache shared by several databases (staging, the bench databases)
never mixes their accounts."""

from __future__ import annotations

import hashlib
from functools import cache

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from .models import Department, Hall, Region, StaffAssignment, Window

# An entry's lifetime (seconds): the bound on staleness after a write that sent no signal.
ASSIGNMENTS_SECONDS = 300
UNREAD_SECONDS = 300


@cache
def key_prefix() -> str:
    name = str(settings.DATABASES["default"].get("NAME", ""))
    return "tongban:user:" + hashlib.sha1(name.encode()).hexdigest()[:8]  # noqa: S324 - a name, not a secret


def assignments_key(user_id: int) -> str:
    return f"{key_prefix()}:{user_id}:assignments"


def unread_key(user_id: int) -> str:
    return f"{key_prefix()}:{user_id}:unread"


def load(user, need: str) -> None:
    """Fill what `user` lacks of `_staff_assignments` and `_unread_notice_count` from the shared cache
    (one round trip for both), and `need` (one of the two) from the database if the cache lacks it:
    a permission check outside a page does not count the inbox."""
    from .notices import unread_count_query
    from .selectors import staff_assignments_query

    wanted = {}
    if getattr(user, "_staff_assignments", None) is None:
        wanted[assignments_key(user.pk)] = ("_staff_assignments", staff_assignments_query, ASSIGNMENTS_SECONDS)
    if getattr(user, "_unread_notice_count", None) is None:
        wanted[unread_key(user.pk)] = ("_unread_notice_count", unread_count_query, UNREAD_SECONDS)
    if not wanted:
        return
    found = shared_cache.get_many(list(wanted))
    for key, (attribute, query, seconds) in wanted.items():
        value = found.get(key)
        if value is None:
            if attribute != need:
                continue
            value = query(user)
            shared_cache.set(key, value, seconds)
        setattr(user, attribute, value)


def forget(keys: list[str]) -> None:
    """Drop entries now and again after the current transaction commits."""
    if not keys:
        return
    shared_cache.delete_many(keys)
    transaction.on_commit(lambda: shared_cache.delete_many(keys))


def forget_assignments(user_ids) -> None:
    forget([assignments_key(pk) for pk in set(user_ids)])


def forget_unread(user_ids) -> None:
    forget([unread_key(pk) for pk in set(user_ids)])


@receiver([post_save, post_delete], sender=StaffAssignment, dispatch_uid="usercache_assignment")
def _assignment_changed(sender, instance, **kwargs):
    forget_assignments([instance.user_id])
    user = instance._state.fields_cache.get("user")
    if user is not None:  # the account object at hand reads them afresh too
        user._staff_assignments = None


# Before a deletion: a removed window is first cleared from its assignments (SET_NULL), which would
# leave nobody to find afterwards.
@receiver([post_save, pre_delete], sender=Hall, dispatch_uid="usercache_hall")
@receiver([post_save, pre_delete], sender=Department, dispatch_uid="usercache_department")
@receiver([post_save, pre_delete], sender=Window, dispatch_uid="usercache_window")
def _place_changed(sender, instance, **kwargs):
    field = {Hall: "hall", Department: "department", Window: "window"}[sender]
    forget_assignments(StaffAssignment.objects.filter(**{field: instance.pk}).values_list("user_id", flat=True))


@receiver([post_save, pre_delete], sender=Region, dispatch_uid="usercache_region")
def _region_changed(sender, instance, **kwargs):
    forget_assignments(StaffAssignment.objects.filter(hall__region=instance.pk).values_list("user_id", flat=True))
