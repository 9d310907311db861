"""Online application: drafts, materials, the completeness check, submission, withdrawal."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services
from cases.constants import CaseState, EventKind
from cases.models import Case, CaseEvent, SubmittedMaterial
from hall.models import Notice

from .factories import pdf_upload, png_upload
from .helpers import attach_all, draft_case, submitted_case, version_with_materials


def test_draft_is_received_by_the_owning_county_hall(cast):
    case = draft_case(cast)
    assert case.state == CaseState.DRAFT
    assert case.number is None
    assert case.receiving_hall == cast.halls["JC"]
    assert case.owning_department == cast.market_jc
    assert case.applicant_name == "张三"
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CREATED, actor=cast.citizen).exists()


def test_staff_cannot_apply_online(cast):
    with pytest.raises(PermissionDenied):
        draft_case(cast.__class__(**{**vars(cast), "citizen": cast.clerk}))


def test_unpublished_version_refused(cast):
    version = version_with_materials(draft=True)
    with pytest.raises(ValidationError, match="尚未发布"):
        draft_case(cast, version)
    assert not Case.objects.exists()


def test_typed_id_number_must_match_account(cast):
    with pytest.raises(ValidationError, match="不一致"):
        services.case_create_draft(
            applicant=cast.citizen,
            item_version=version_with_materials(),
            form_data={"applicant_id_number": "11010519491231002X"},
        )
    assert not Case.objects.exists()


def test_completeness_check_lists_missing_and_deferrable(cast):
    case = draft_case(cast)
    check = services.completeness_check(case)
    assert [m.name for m in check.missing_mandatory] == ["申请书"]
    assert [m.name for m in check.missing_deferrable] == ["申请人身份证明"]
    assert not check.submittable
    attach_all(case, cast.citizen)
    assert services.completeness_check(case).complete


def test_submit_refused_while_mandatory_material_missing(cast):
    case = draft_case(cast)
    with pytest.raises(ValidationError, match="申请书"):
        services.case_submit(case=case, actor=cast.citizen)
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT and case.number is None


def test_submit_numbers_the_case_and_notifies(cast):
    case = submitted_case(cast)
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert re.fullmatch(r"JC\d{6}\d{5}", case.number)
    assert case.number[2:8] == timezone.localdate().strftime("%y%m%d")
    assert case.received_at is not None
    assert Notice.objects.filter(recipient=cast.citizen, case_number=case.number, kind="case_submitted").exists()
    event = case.events.get(kind=EventKind.SUBMITTED)
    assert (event.from_state, event.to_state, event.role) == ("draft", "submitted", "applicant")


def test_numbers_follow_each_other_per_hall_and_day(cast):
    first = submitted_case(cast)
    second = submitted_case(cast)
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1


def test_submit_with_deferrable_material_missing_is_allowed(cast):
    case = submitted_case(cast, complete=False)
    assert case.state == CaseState.SUBMITTED


def test_other_citizen_cannot_submit(cast):
    case = draft_case(cast)
    attach_all(case, cast.citizen)
    with pytest.raises(PermissionDenied):
        services.case_submit(case=case, actor=cast.other_citizen)


def test_material_replacement_supersedes_and_is_audited(cast):
    case = draft_case(cast)
    material = case.item_version.materials.get(name="申请书")
    services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload("a.pdf"), material=material)
    services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload("b.pdf"), material=material)
    rows = SubmittedMaterial.objects.filter(case=case, material=material).order_by("pk")
    assert [(r.original_name, r.superseded) for r in rows] == [("a.pdf", True), ("b.pdf", False)]
    event = case.events.get(kind=EventKind.MATERIAL_REPLACED)
    assert event.changes["replaced"][0]["name"] == "a.pdf"
    assert event.changes["added"]["name"] == "b.pdf"


def test_remove_material_from_draft(cast):
    case = draft_case(cast)
    material = case.item_version.materials.get(name="申请书")
    submitted = services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload(), material=material)
    services.case_remove_material(case=case, actor=cast.citizen, submitted=submitted)
    submitted.refresh_from_db()
    assert submitted.superseded
    assert case.events.filter(kind=EventKind.MATERIAL_REMOVED).exists()


def test_material_of_another_item_refused(cast):
    case = draft_case(cast)
    other = version_with_materials().materials.first()
    with pytest.raises(ValidationError, match="不属于"):
        services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload(), material=other)


def test_applicant_cannot_change_materials_under_review(cast):
    case = submitted_case(cast)
    material = case.item_version.materials.first()
    with pytest.raises(ValidationError, match="等待受理审查"):
        services.case_attach_material(case=case, actor=cast.citizen, upload=png_upload(), material=material)


def test_update_draft_records_before_and_after(cast):
    case = draft_case(cast)
    services.case_update_draft(case=case, actor=cast.citizen, form_data={"description": "新的说明"})
    event = case.events.get(kind=EventKind.UPDATED)
    assert event.changes["after"] == {"description": "新的说明"}


def test_update_after_submit_refused(cast):
    case = submitted_case(cast)
    with pytest.raises(ValidationError):
        services.case_update_draft(case=case, actor=cast.citizen, form_data={})


def test_withdraw_before_decision(cast):
    case = submitted_case(cast)
    services.case_withdraw(case=case, actor=cast.citizen, reason="不再需要")
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    assert case.events.get(kind=EventKind.WITHDRAWN).note == "不再需要"


def test_only_applicant_withdraws(cast):
    case = submitted_case(cast)
    with pytest.raises(PermissionDenied):
        services.case_withdraw(case=case, actor=cast.clerk)
