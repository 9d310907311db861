"""行政许可法 at decision: limits in their units (working / calendar days, 即办), the extension cap
of each item approved by the agency head (Art. 42), special procedures only of the kinds Art. 45 or
the item's own law lists (Art. 45), on-site inspection as a review step, 告知承诺制 with its
post-check and the revocation of a false commitment."""

import datetime as dt
import subprocess
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template import Context, Template

from cases import services
from cases.clock import case_clock_reading
from cases.constants import CaseState, CommitmentOutcome, DocumentKind, EventKind, ExtensionState, SpecialProcedureKind
from cases.models import Commitment, Document
from cases.services.commitment import commitment_check_record, commitment_sign
from cases.services.decision import case_record_site_inspection
from cases.services.limits import limit_text
from hall import workdays
from hall.workdays import add_working_days, calendar_seed
from tests.items.factories import ItemVersionFactory

from .factories import pdf_upload
from .helpers import accepted_case, draft_case, submitted_case

SH = ZoneInfo("Asia/Shanghai")
D = dt.date


@pytest.fixture(autouse=True)
def calendar(db):
    workdays.workdays_changed()
    calendar_seed(years=[2026, 2027])
    yield
    workdays.workdays_changed()


@pytest.fixture
def clock(monkeypatch):
    def set_day(day: dt.date, hour: int = 10):
        instant = dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH)
        monkeypatch.setattr("django.utils.timezone.now", lambda: instant)

    return set_day


def pdf_text(document: Document) -> str:
    with document.file.open("rb") as handle:
        data = handle.read()
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return "".join(text.split())


# ---- limit units ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "unit, promised, expected_due, badge",
    [
        ("working_day", 20, D(2026, 11, 3), "个工作日"),  # Sep 30 + 20 working days across National Day
        ("natural_day", 20, D(2026, 10, 20), "个自然日"),  # Sep 30 + 20 calendar days, holidays counted
        ("working_day", 5, D(2026, 10, 13), "个工作日"),
        ("natural_day", 5, D(2026, 10, 5), "个自然日"),
    ],
)
def test_decision_limit_in_its_unit(cast, clock, unit, promised, expected_due, badge):
    version = ItemVersionFactory(limit_unit=unit, statutory_days=30, promised_days=promised)
    clock(D(2026, 9, 30))
    case = accepted_case(cast, version)
    case.refresh_from_db()
    assert case.decision_due == expected_due
    assert services.promised_completion(case, case.accepted_on) == expected_due
    html = Template("{% load clock %}{% clock_badge case %}").render(Context({"case": case}))
    reading = case_clock_reading(case)
    assert reading.unit == unit
    if reading.level not in ("overdue", "red"):
        assert badge in html


@pytest.mark.parametrize(
    "intake_days, intake_unit, delivery_days, delivery_unit, intake_due",
    [
        (5, "working_day", 10, "working_day", D(2026, 10, 13)),
        (5, "natural_day", 10, "natural_day", D(2026, 10, 5)),
        (3, "working_day", 7, "natural_day", D(2026, 10, 10)),
    ],
)
def test_intake_and_delivery_limits_in_their_units(
    cast, clock, intake_days, intake_unit, delivery_days, delivery_unit, intake_due
):
    version = ItemVersionFactory(
        intake_days=intake_days, intake_unit=intake_unit, delivery_days=delivery_days, delivery_unit=delivery_unit
    )
    clock(D(2026, 9, 30))
    case = submitted_case(cast, version)
    assert case.intake_due == intake_due
    services.case_accept(case=case, actor=cast.clerk)
    services.case_grant(case=case, actor=cast.approver)
    case.refresh_from_db()
    if delivery_unit == "natural_day":
        assert case.delivery_due == D(2026, 9, 30) + dt.timedelta(days=delivery_days)
    else:
        assert case.delivery_due == add_working_days(D(2026, 9, 30), delivery_days)


def test_instant_items_read_instant_everywhere(cast):
    assert limit_text(0, "working_day", instant=True) == "即办"
    assert limit_text(0, "working_day") == "0个工作日"
    assert limit_text(30, "natural_day") == "30个自然日"
    version = ItemVersionFactory(instant=True)
    case = accepted_case(cast, version)
    text = pdf_text(case.documents.get(kind=DocumentKind.ACCEPTANCE))
    assert "即办" in text and "0个工作日" not in text


# ---- extensions (Art. 42) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cap, basis, unit, days, ok, message",
    [
        (10, "", "working_day", 10, True, ""),  # the default: Art. 42
        (10, "", "working_day", 11, False, "最多 10 个工作日（《中华人民共和国行政许可法》第四十二条第一款）"),
        (3, "《中华人民共和国市场主体登记管理条例》第十九条", "working_day", 3, True, ""),
        (
            3,
            "《中华人民共和国市场主体登记管理条例》第十九条",
            "working_day",
            4,
            False,
            "市场主体登记管理条例》第十九条",
        ),
        (40, "《企业投资项目核准和备案管理条例》第十一条", "working_day", 40, True, ""),
        (40, "《企业投资项目核准和备案管理条例》第十一条", "working_day", 41, False, "第十一条"),
        (30, "《居住证暂行条例》", "natural_day", 30, True, ""),
        (30, "《居住证暂行条例》", "natural_day", 31, False, "最多 30 个自然日"),
        (0, "《某条例》第五条", "working_day", 1, False, "不得延长"),
    ],
)
def test_extension_cap_per_item(cast, cap, basis, unit, days, ok, message):
    version = ItemVersionFactory(extension_max_days=cap, extension_basis=basis, limit_unit=unit)
    case = accepted_case(cast, version)
    if not ok:
        with pytest.raises(ValidationError, match=message.replace("（", ".").replace("）", ".")):
            services.case_request_extension(case=case, actor=cast.approver, days=days, reason="需征求意见")
        assert not case.extension_requests.exists()
        return
    extension = services.case_request_extension(case=case, actor=cast.approver, days=days, reason="需征求意见")
    assert extension.basis == (basis or "《中华人民共和国行政许可法》第四十二条第一款")
    due_before = case.decision_due
    services.case_approve_extension(extension=extension, actor=cast.agency_head)
    case.refresh_from_db()
    assert case.extension_days == days and case.decision_due > due_before
    text = pdf_text(case.documents.get(kind=DocumentKind.EXTENSION))
    assert extension.basis in text and "机关负责人" in text


@pytest.mark.parametrize("who", ["supervisor", "approver", "other_agency_head", "clerk"])
def test_extension_approved_only_by_the_head_of_the_deciding_agency(cast, who):
    case = accepted_case(cast)
    extension = services.case_request_extension(case=case, actor=cast.approver, days=5, reason="需征求意见")
    with pytest.raises(PermissionDenied, match="机关负责人"):
        services.case_approve_extension(extension=extension, actor=getattr(cast, who))
    extension.refresh_from_db()
    case.refresh_from_db()
    assert extension.state == ExtensionState.PENDING and case.extension_days == 0


def test_supervisor_sees_the_extension_the_head_approves(cast, client):
    case = accepted_case(cast)
    extension = services.case_request_extension(case=case, actor=cast.approver, days=5, reason="需征求意见")
    client.force_login(cast.supervisor)
    page = client.get("/cases/extensions/").content.decode()
    assert case.number in page and "待实施部门机关负责人审批" in page
    assert (
        client.post(f"/cases/extensions/{extension.pk}/decide/", {f"ext{extension.pk}-approve": "1"}).status_code == 302
    )
    extension.refresh_from_db()
    assert extension.state == ExtensionState.PENDING
    client.force_login(cast.agency_head)
    page = client.get("/cases/extensions/").content.decode()
    assert case.number in page and "提交审批意见" in page
    client.post(f"/cases/extensions/{extension.pk}/decide/", {f"ext{extension.pk}-approve": "1"})
    extension.refresh_from_db()
    assert extension.state == ExtensionState.APPROVED and extension.decided_by == cast.agency_head


def test_joint_handling_of_a_bundle_45_plus_15(cast):
    """A child of a bundle (joint handling, Art. 42 ¶2): at most 45 working days, extension up to 15."""
    from types import SimpleNamespace  # noqa: PLC0415

    from cases.clock import _decision_due  # noqa: PLC0415
    from cases.services.decision import extension_cap  # noqa: PLC0415

    version = ItemVersionFactory(statutory_days=60, promised_days=60)
    child = SimpleNamespace(parent_id=1, item_version=version, extension_days=0, paused_days=0)
    assert extension_cap(child) == (15, "working_day", "《中华人民共和国行政许可法》第四十二条第二款")
    start = D(2026, 9, 30)
    assert _decision_due(child, start, version) == add_working_days(start, 45)
    child.extension_days = 15
    assert _decision_due(child, start, version) == add_working_days(start, 60)
    alone = SimpleNamespace(parent_id=None, item_version=version, extension_days=0, paused_days=0)
    assert _decision_due(alone, start, version) == add_working_days(start, 60)


# ---- special procedures (Art. 45) --------------------------------------------------------------


@pytest.mark.parametrize("kind", [k for k in SpecialProcedureKind.values if k != SpecialProcedureKind.ITEM_LAW])
def test_every_art_45_kind_stops_the_clock(cast, kind):
    case = accepted_case(cast)
    procedure = services.case_suspend(case=case, actor=cast.approver, kind=kind, reason="依法需要", expected_days=7)
    assert procedure.basis == "《中华人民共和国行政许可法》第四十五条"
    case.refresh_from_db()
    assert case.state == CaseState.SUSPENDED
    text = pdf_text(case.documents.get(kind=DocumentKind.SPECIAL_PROCEDURE))
    assert str(SpecialProcedureKind(kind).label) in text and "第四十五条" in text and "7个工作日" in text


@pytest.mark.parametrize(
    "kind, name, ok",
    [
        ("item_law", "技术审查", True),  # named by the item's own law
        ("item_law", "征求意见", False),  # not named by the item
        ("site_inspection", "", False),  # 现场核查 is a review step
        ("inspection_on_site", "现场核查", False),
        ("other", "", False),
    ],
)
def test_special_procedure_kinds_the_law_does_not_list_are_refused(cast, kind, name, ok):
    version = ItemVersionFactory(special_procedure_kinds=[{"name": "技术审查", "basis": "《特种设备安全法》第十九条"}])
    case = accepted_case(cast, version)
    if ok:
        procedure = services.case_suspend(
            case=case, actor=cast.approver, kind=kind, name=name, reason="依法需要", expected_days=10
        )
        assert (procedure.name, procedure.basis) == ("技术审查", "《特种设备安全法》第十九条")
        assert "特种设备安全法" in pdf_text(case.documents.get(kind=DocumentKind.SPECIAL_PROCEDURE))
        return
    with pytest.raises(ValidationError, match="不是法定的特别程序"):
        services.case_suspend(case=case, actor=cast.approver, kind=kind, name=name, reason="x", expected_days=3)
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and not case.special_procedures.exists()


def test_site_inspection_is_a_review_step_and_the_clock_runs(cast):
    case = accepted_case(cast)
    case.refresh_from_db()
    due = case.decision_due
    case_record_site_inspection(case=case, actor=cast.approver, findings="经营场所与申报一致")
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and case.decision_due == due and case.paused_days == 0
    assert case.events.filter(kind=EventKind.SITE_INSPECTION).exists()
    with pytest.raises(PermissionDenied):
        case_record_site_inspection(case=case, actor=cast.clerk, findings="x")


# ---- 告知承诺制 ------------------------------------------------------------------------------------


def commitment_version():
    version = ItemVersionFactory(
        commitment_allowed=True,
        commitment_text="本事项实行告知承诺制。",
        commitment_check_days=20,
        commitment_basis="《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》",
    )
    version.materials.filter(name="申请人身份证明").update(commitment_replaceable=True)
    return version


def test_commitment_online_decided_at_once(cast, clock):
    clock(D(2026, 9, 30))
    version = commitment_version()
    case = draft_case(cast, version)
    form, proof = version.materials.order_by("order")[:2]
    services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload(), material=form)
    commitment_sign(case=case, actor=cast.citizen, materials=[proof])
    case.refresh_from_db()
    services.case_submit(case=case, actor=cast.citizen)
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED and case.accepted_on == D(2026, 9, 30)
    grant = case.documents.get(kind=DocumentKind.GRANT)
    assert grant.issued_on == D(2026, 9, 30)
    assert "告知承诺" in pdf_text(grant)
    commitment = case.commitment
    assert commitment.check_due == add_working_days(D(2026, 9, 30), 20)
    receipt = pdf_text(case.documents.get(kind=DocumentKind.RECEIPT))
    assert proof.name in receipt and "以告知承诺代替" in receipt
    assert not case.materials.filter(material=proof).exists()


def test_commitment_at_the_counter(cast):
    version = commitment_version()
    case = draft_case(cast, version)
    form, proof = version.materials.order_by("order")[:2]
    services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload(), material=form)
    services.case_submit(case=case, actor=cast.citizen)  # the proof may be deferred: submitted, not decided
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    commitment_sign(case=case, actor=cast.clerk, materials=[proof])
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED


@pytest.mark.parametrize(
    "setup, message",
    [
        ("not_allowed", "未实行告知承诺制"),
        ("not_replaceable", "不在本事项可以承诺代替"),
        ("nothing", "请选择"),
    ],
)
def test_commitment_bad_input(cast, setup, message):
    version = commitment_version() if setup != "not_allowed" else ItemVersionFactory()
    case = draft_case(cast, version)
    form, proof = version.materials.order_by("order")[:2]
    materials = {"not_allowed": [proof], "not_replaceable": [form], "nothing": []}[setup]
    with pytest.raises(ValidationError, match=message):
        commitment_sign(case=case, actor=cast.citizen, materials=materials)
    assert not Commitment.objects.exists()


def _granted_by_commitment(cast):
    version = commitment_version()
    case = draft_case(cast, version)
    form, proof = version.materials.order_by("order")[:2]
    services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload(), material=form)
    commitment_sign(case=case, actor=cast.citizen, materials=[proof])
    services.case_submit(case=case, actor=cast.citizen)
    case.refresh_from_db()
    return case


def test_commitment_confirmed(cast):
    case = _granted_by_commitment(cast)
    commitment_check_record(commitment=case.commitment, actor=cast.approver, confirmed=True, finding="经核查属实")
    commitment = Commitment.objects.get(case=case)
    assert commitment.outcome == CommitmentOutcome.CONFIRMED and commitment.revoked_at is None
    assert not case.documents.filter(kind=DocumentKind.REVOCATION).exists()


def test_commitment_found_false_revokes_the_grant(cast, client):
    case = _granted_by_commitment(cast)
    grant = case.documents.get(kind=DocumentKind.GRANT)
    with pytest.raises(PermissionDenied):
        commitment_check_record(commitment=case.commitment, actor=cast.other_approver, confirmed=False, finding="x")
    with pytest.raises(ValidationError, match="核查情况"):
        commitment_check_record(commitment=case.commitment, actor=cast.approver, confirmed=False, finding=" ")
    assert client.get(f"/verify/{grant.token}/").content.decode().count("已被撤销") == 0
    commitment_check_record(
        commitment=case.commitment, actor=cast.approver, confirmed=False, finding="申请人身份证明与公安数据不符"
    )
    commitment = Commitment.objects.get(case=case)
    assert commitment.outcome == CommitmentOutcome.FALSE and commitment.revoked_at
    revocation = case.documents.get(kind=DocumentKind.REVOCATION)
    text = pdf_text(revocation)
    assert grant.number in text and "撤销" in text and "行政复议" in text and "第六十九条" in text
    assert case.events.filter(kind=EventKind.GRANT_REVOKED, document=revocation).exists()
    page = client.get(f"/verify/{grant.token}/").content.decode()
    assert "已被撤销" in page
    with pytest.raises(ValidationError, match="已核查"):
        commitment_check_record(commitment=commitment, actor=cast.approver, confirmed=True, finding="x")


def test_post_check_list_of_the_department(cast, client):
    case = _granted_by_commitment(cast)
    client.force_login(cast.approver)
    page = client.get("/cases/commitment-checks/").content.decode()
    assert case.number in page
    client.force_login(cast.other_approver)
    assert case.number not in client.get("/cases/commitment-checks/").content.decode()
    client.force_login(cast.citizen)
    assert client.get("/cases/commitment-checks/").status_code == 404


def test_commitment_pages_refuse_outsiders_and_sign_through_the_form(cast, client):
    version = commitment_version()
    case = draft_case(cast, version)
    url = f"/cases/{case.pk}/commitment/"
    for outsider in (cast.other_citizen, cast.clerk, cast.approver):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, {"agree": "on"}).status_code == 404
    assert not Commitment.objects.exists()
    client.force_login(cast.citizen)
    page = client.get(url).content.decode()
    assert "本事项实行告知承诺制" in page and "以本承诺代替以下证明材料" in page
    proof = version.materials.get(name="申请人身份证明")
    refused = client.post(url, {"materials": [str(proof.pk)]})  # not agreed: nothing signed
    assert refused.status_code == 200 and not Commitment.objects.exists()
    response = client.post(url, {"materials": [str(proof.pk)], "agree": "on"})
    assert response.status_code == 302
    assert list(Commitment.objects.get(case=case).replaced_materials.all()) == [proof]


def test_post_check_list_reads_in_constant_queries(cast, client, django_assert_max_num_queries):
    for _ in range(3):
        _granted_by_commitment(cast)
    client.force_login(cast.approver)
    client.get("/cases/commitment-checks/")  # warm the per-process caches (calendar, menus)
    with django_assert_max_num_queries(30):
        page = client.get("/cases/commitment-checks/").content.decode()
    assert page.count("data-commitment=") == 3
