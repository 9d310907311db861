"""Audited reads (access records) and security events."""

import logging

import pytest
from django.db import connection
from django.urls import reverse

from hall.constants import AccessKind, SecurityEventKind, StaffRole
from hall.models import AccessRecord, ImmutableError, Notice, SecurityEvent
from tests.cases.helpers import accepted_case, submitted_case

pytestmark = pytest.mark.django_db


def test_staff_reads_are_recorded_and_the_citizen_sees_them(client, cast):
    case = accepted_case(cast)
    material = case.materials.first()
    document = case.documents.first()
    client.force_login(cast.clerk)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("cases:material_file", args=[case.pk, material.pk])).status_code == 200
    assert client.get(reverse("cases:document", args=[case.pk, document.pk])).status_code == 200
    records = list(AccessRecord.objects.filter(case_id=case.pk).order_by("pk"))
    assert [r.kind for r in records] == [AccessKind.CASE, AccessKind.MATERIAL, AccessKind.DOCUMENT]
    first = records[0]
    assert first.actor == cast.clerk and first.role == StaffRole.WINDOW_CLERK and first.hall.code == "JC"
    assert first.case_number == case.number and first.ip == "127.0.0.1"
    assert material.original_name in records[1].target and records[2].target == document.number

    client.force_login(cast.citizen)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert AccessRecord.objects.filter(case_id=case.pk).count() == 3  # the applicant's own reads are not audited
    assert "谁查看过我的办件" in page and cast.halls["JC"].name in page and "综合窗口人员" in page


def test_access_records_cannot_be_changed(cast):
    record = AccessRecord.objects.create(actor=cast.clerk, actor_name="x", kind=AccessKind.CASE)
    record.target = "changed"
    with pytest.raises(ImmutableError):
        record.save()
    with pytest.raises(ImmutableError):
        record.delete()
    with pytest.raises(ImmutableError):
        AccessRecord.objects.all().update(target="x")


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger on PostgreSQL")
def test_trigger_refuses_sql_update_and_delete(cast):
    from django.db import DatabaseError, transaction

    AccessRecord.objects.create(actor=cast.clerk, actor_name="x", kind=AccessKind.CASE)
    SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, username="x")
    for sql in ("UPDATE hall_accessrecord SET target = 'x'", "DELETE FROM hall_accessrecord"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM hall_securityevent")


def test_admin_offers_no_change(client, cast):
    record = AccessRecord.objects.create(actor=cast.clerk, actor_name="x", kind=AccessKind.CASE)
    client.force_login(cast.admin)
    url = reverse("admin:hall_accessrecord_change", args=[record.pk])
    assert client.post(url, {"target": "changed"}).status_code == 403
    record.refresh_from_db()
    assert record.target == ""
    assert client.post(reverse("admin:hall_accessrecord_delete", args=[record.pk]), {"post": "yes"}).status_code == 403
    assert AccessRecord.objects.filter(pk=record.pk).exists()


def test_supervisor_searches_access_records(client, cast):
    case = submitted_case(cast)
    client.force_login(cast.clerk)
    client.get(reverse("cases:detail", args=[case.pk]))
    assert client.get(reverse("hall_security:access_records")).status_code == 403
    client.force_login(cast.supervisor)
    page = client.get(reverse("hall_security:access_records"), {"case_number": case.number})
    assert page.status_code == 200 and cast.clerk.real_name in page.content.decode()
    empty = client.get(reverse("hall_security:access_records"), {"case_number": "NOPE"})
    assert cast.clerk.real_name not in empty.content.decode().split("access-records")[1]


def test_failed_login_is_an_event_with_masked_identifier(client, cast, caplog):
    logger = logging.getLogger("tongban.security")
    logger.addHandler(caplog.handler)
    try:
        client.post(reverse("login"), {"username": cast.citizen.id_number, "password": "wrong-password"})
    finally:
        logger.removeHandler(caplog.handler)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN_FAILED)
    assert cast.citizen.id_number not in event.username and "*" in event.username
    assert any('"event": "login_failed"' in r.getMessage() for r in caplog.records)


def test_refused_accesses_burst_notifies_the_supervisor(client, cast, settings):
    settings.TONGBAN_SECURITY_BURST_COUNT = 3
    case = submitted_case(cast)
    client.force_login(cast.other_clerk)  # 阳东区: not this case's hall
    for _ in range(3):
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    refused = SecurityEvent.objects.filter(kind=SecurityEventKind.ACCESS_REFUSED, user=cast.other_clerk)
    assert refused.count() == 3
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.BURST, user=cast.other_clerk).count() == 1
    supervisors = Notice.objects.filter(kind="security_burst")
    assert supervisors.exists()
    assert all(n.recipient.assignments.filter(role=StaffRole.SUPERVISOR, hall__code="YD").exists() for n in supervisors)
    client.get(reverse("cases:detail", args=[case.pk]))  # a 4th refusal raises no second alarm
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.BURST).count() == 1


def test_system_admin_page_lists_and_filters_events(client, cast):
    client.post(reverse("login"), {"username": "nobody", "password": "wrong-password"})
    client.force_login(cast.clerk)
    assert client.get(reverse("hall_security:events")).status_code == 403
    client.force_login(cast.admin)
    page = client.get(reverse("hall_security:events"), {"kind": SecurityEventKind.LOGIN_FAILED})
    assert page.status_code == 200 and "nobody" in page.content.decode()
    other = client.get(reverse("hall_security:events"), {"kind": SecurityEventKind.BURST})
    assert "nobody" not in other.content.decode()


def test_admin_edit_is_an_event(client, cast):
    client.force_login(cast.admin)
    url = reverse("admin:hall_hall_change", args=[cast.halls["JC"].pk])
    page = client.get(url)
    assert page.status_code == 200
    from django.contrib.admin.models import CHANGE, LogEntry

    LogEntry.objects.log_actions(
        user_id=cast.admin.pk, queryset=[cast.halls["JC"]], action_flag=CHANGE, change_message="phone"
    )
    event = SecurityEvent.objects.get(kind=SecurityEventKind.ADMIN_EDIT)
    assert event.user == cast.admin and event.detail["model"] == "hall.hall"


def test_lockout_is_an_event(client, cast, settings):
    for _ in range(settings_failure_limit(settings) + 1):
        client.post(reverse("login"), {"username": cast.citizen.mobile, "password": "wrong-password"})
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKOUT).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED).count() >= 5


def settings_failure_limit(settings) -> int:
    return int(getattr(settings, "TONGBAN_LOGIN_FAILURE_LIMIT", 5) or 5)


@pytest.mark.parametrize("rows", [3, 30])
def test_security_lists_cost_the_same_whatever_the_rows(client, cast, rows, django_assert_max_num_queries):
    AccessRecord.objects.bulk_create(
        [
            AccessRecord(actor=cast.clerk, actor_name="x", kind=AccessKind.CASE, hall=cast.halls["JC"])
            for _ in range(rows)
        ]
    )
    SecurityEvent.objects.bulk_create(
        [SecurityEvent(kind=SecurityEventKind.LOGIN_FAILED, user=cast.clerk, username="x") for _ in range(rows)]
    )
    client.force_login(cast.admin)
    client.get(reverse("hall_security:events"))  # warm the session
    with django_assert_max_num_queries(12):
        assert client.get(reverse("hall_security:events")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("hall_security:access_records")).status_code == 200


def test_role_change_in_the_user_admin_is_an_event(rf, cast):
    from django.contrib import admin

    from hall.admin import UserAdmin
    from hall.models import StaffAssignment, User

    assignment = StaffAssignment.objects.create(user=cast.clerk, role=StaffRole.SUPERVISOR, hall=cast.halls["JC"])

    class Formset:
        model = StaffAssignment
        new_objects, changed_objects, deleted_objects = [assignment], [], []

        def save(self):
            return None

    request = rf.post("/django-admin/hall/user/")
    request.user = cast.admin
    UserAdmin(User, admin.site).save_formset(request, type("Form", (), {"instance": cast.clerk})(), Formset(), True)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.ROLE_CHANGED)
    assert event.user == cast.clerk and event.actor == cast.admin
    assert event.detail == {"action": "added", "role": "supervisor", "hall": cast.halls["JC"].pk}
