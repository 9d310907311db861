"""Counter application: a clerk records a walk-in application for an item the hall may receive."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services
from cases.constants import CaseState, Channel, EventKind
from cases.models import Case, CounterScan
from hall.demo import make_id_number
from hall.models import User

from .factories import pdf_upload, png_upload
from .helpers import version_with_materials

pytestmark = pytest.mark.usefixtures("media_root")

WALK_IN_ID = make_id_number("441702", "19700505", "135")


def record(cast, version=None, **overrides):
    version = version or version_with_materials()
    materials = list(version.materials.order_by("order"))
    arguments = {
        "clerk": cast.clerk,
        "hall": cast.halls["JC"],
        "item_version": version,
        "applicant_id_number": WALK_IN_ID,
        "applicant_name": "王五",
        "applicant_mobile": "13712345678",
        "identity_checked": True,
        "uploads": {materials[0]: pdf_upload(), materials[1]: png_upload()},
        "originals_seen": [materials[1].pk],
    }
    arguments.update(overrides)
    return services.case_record_counter_application(**arguments)


def test_walk_in_recorded_submitted_with_originals_seen(cast):
    case = record(cast)
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED and case.channel == Channel.COUNTER
    assert case.number.startswith("JC") and case.identity_checked
    assert case.applicant.real_name == "王五" and not case.applicant.has_usable_password()
    seen = dict(case.materials.values_list("material__name", "originals_seen"))
    assert seen == {"申请书": False, "申请人身份证明": True}
    event = case.events.get(kind=EventKind.COUNTER_RECEIVED)
    assert event.role == "window_clerk" and event.hall == cast.halls["JC"]
    services.case_accept(case=case, actor=cast.clerk)  # reviewed at once


def test_existing_account_is_reused(cast):
    case = record(
        cast, applicant_id_number=cast.citizen.id_number, applicant_name="张三", applicant_mobile=cast.citizen.mobile
    )
    assert case.applicant == cast.citizen


def test_id_number_that_does_not_match_the_account(cast):
    with pytest.raises(ValidationError, match="姓名与该身份证号"):
        record(cast, applicant_id_number=cast.citizen.id_number, applicant_name="冒名")
    assert not Case.objects.exists()


def test_invalid_id_number(cast):
    with pytest.raises(ValidationError):
        record(cast, applicant_id_number="441702197005051239")
    assert not Case.objects.exists()
    assert not User.objects.filter(real_name="王五").exists()


def test_identity_check_required(cast):
    with pytest.raises(ValidationError, match="核验"):
        record(cast, identity_checked=False)
    assert not Case.objects.exists()


def test_hall_must_be_allowed_to_receive_the_item(cast):
    version = version_with_materials(receivable_halls=[cast.halls["YD"]])
    with pytest.raises(ValidationError, match="本大厅不能受理该事项"):
        record(cast, version=version)
    assert not Case.objects.exists()


def test_clerk_of_another_hall_cannot_record_here(cast):
    with pytest.raises(PermissionDenied):
        record(cast, clerk=cast.other_clerk)


def test_bad_scan_rolls_everything_back_without_orphan_files(cast, media_root):
    version = version_with_materials()
    materials = list(version.materials.order_by("order"))
    with pytest.raises(ValidationError, match="内容与扩展名不符"):
        record(cast, version=version, uploads={materials[0]: pdf_upload(), materials[1]: pdf_upload("x.png")})
    assert not Case.objects.exists()
    assert not User.objects.filter(real_name="王五").exists()
    files = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
    assert files == []


def _keep(cast, version, draft, **overrides):
    first = version.materials.order_by("order").first()
    arguments = {"draft": draft, "clerk": cast.clerk, "hall": cast.halls["JC"], "item_version": version}
    return services.counter_scans_keep(**{**arguments, "uploads": {first: pdf_upload("扫描.pdf")}, **overrides})


def test_held_scans_are_received_with_the_application_and_nothing_before(cast, media_root):
    version = version_with_materials()
    first, second = version.materials.order_by("order")
    draft = uuid.uuid4()
    (scan,) = _keep(cast, version, draft)
    assert not Case.objects.exists() and not User.objects.filter(real_name="王五").exists()
    case = record(cast, version=version, uploads={second: png_upload()}, draft=draft)
    assert dict(case.materials.values_list("material_id", "sha256")) == {
        first.pk: scan.sha256,
        second.pk: case.materials.get(material=second).sha256,
    }
    assert not CounterScan.objects.exists()


def test_a_draft_is_its_clerks_own(cast, media_root):
    version = version_with_materials()
    draft = uuid.uuid4()
    _keep(cast, version, draft)
    with pytest.raises(PermissionDenied):
        _keep(cast, version, draft, clerk=cast.other_clerk)
    other_item = version_with_materials()
    with pytest.raises(ValidationError, match="不是您"):
        _keep(cast, other_item, draft, uploads={other_item.materials.order_by("order").first(): pdf_upload()})
    assert CounterScan.objects.count() == 1


def test_scans_of_abandoned_forms_are_purged(cast, media_root, django_capture_on_commit_callbacks):
    version = version_with_materials()
    (old,) = _keep(cast, version, uuid.uuid4())
    (fresh,) = _keep(cast, version, uuid.uuid4())
    CounterScan.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - datetime.timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.counter_scans_purge() == 1
    assert list(CounterScan.objects.all()) == [fresh]
    assert not (media_root / old.file.name).exists() and (media_root / fresh.file.name).exists()
