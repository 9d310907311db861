"""行政许可法 at intake (Art. 32): acceptance by operation of law once the intake limit passes, no
supplement or refusal after it, a late acceptance dated on receipt, the one-time notice, receipts.
Boundary days around the 2026 National Day holiday (Oct 1–7 off, Sat Oct 10 a swapped workday)."""

import datetime as dt
import subprocess
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.constants import CaseState, DocumentKind, EventKind
from cases.models import Case, Document
from cases.sla import sla_scan
from hall import workdays
from hall.models import Notice
from hall.workdays import add_working_days, calendar_seed

from .factories import pdf_upload
from .helpers import submitted_case

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
    """Set the portal's "now" (every timezone.now(), auto_now_add included) to 10:00 of a day."""

    def set_day(day: dt.date, hour: int = 10):
        instant = dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH)
        monkeypatch.setattr("django.utils.timezone.now", lambda: instant)

    return set_day


def pdf_text(document: Document) -> str:
    with document.file.open("rb") as handle:
        data = handle.read()
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return "".join(text.split())  # lines wrap anywhere in Chinese text


def test_the_calendar_around_national_day():
    # Received Wed 30 Sep: Oct 8 (1), 9 (2), Sat 10 swapped workday (3), 12 (4), 13 (5); the 6th is Oct 14.
    assert add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert add_working_days(D(2026, 9, 30), 6) == D(2026, 10, 14)
    # Received Fri 18 Sep: Sun 20 swapped (1), 21, 22, 23, 24 (5); Fri 25 Sep is 中秋节, the 6th is Mon 28.
    assert add_working_days(D(2026, 9, 18), 5) == D(2026, 9, 24)
    assert add_working_days(D(2026, 9, 18), 6) == D(2026, 9, 28)


@pytest.mark.parametrize(
    "received, scan_day, accepted",
    [
        (D(2026, 9, 30), D(2026, 10, 10), False),  # 3rd working day (a swapped Saturday)
        (D(2026, 9, 30), D(2026, 10, 13), False),  # 5th working day: the hall may still decide
        (D(2026, 9, 30), D(2026, 10, 14), True),  # 6th working day: accepted by law
        (D(2026, 9, 18), D(2026, 9, 24), False),  # 5th working day
        (D(2026, 9, 18), D(2026, 9, 25), True),  # the window ended on the 24th (25th is a holiday)
        (D(2026, 9, 18), D(2026, 9, 28), True),  # 6th working day
    ],
)
def test_scan_accepts_by_law_after_the_fifth_working_day(cast, clock, received, scan_day, accepted):
    clock(received)
    case = submitted_case(cast)
    assert case.intake_due == add_working_days(received, 5)
    clock(scan_day, hour=2)
    result = sla_scan()
    case.refresh_from_db()
    assert (case.pk in result.accepted_by_law) is accepted
    if not accepted:
        assert case.state == CaseState.SUBMITTED and not case.accepted_by_law
        return
    assert case.state == CaseState.ACCEPTED and case.accepted_by_law
    assert case.accepted_on == received  # the clock runs from receipt, not from the scan
    assert case.decision_due == add_working_days(received, case.item_version.promised_days)
    event = case.events.get(kind=EventKind.ACCEPTED_BY_LAW)
    assert event.actor is None and event.actor_name == "系统" and event.role == "system"
    notice = event.document
    assert notice.kind == DocumentKind.ACCEPTANCE
    text = pdf_text(notice)
    assert "依法自收到申请材料之日起即为受理" in text and "第三十二条" in text
    told = set(Notice.objects.filter(kind="case_accepted_by_law").values_list("recipient__username", flat=True))
    assert cast.citizen.username in told and cast.clerk.username in told
    # A second scan changes nothing.
    assert case.pk not in sla_scan().accepted_by_law
    assert case.events.filter(kind=EventKind.ACCEPTED_BY_LAW).count() == 1


def _supplement(case, cast):
    material = case.item_version.materials.order_by("order").first()
    return services.case_request_supplement(
        case=case,
        actor=cast.clerk,
        items=[{"material": material, "reason": "签名不清"}],
        due=D(2026, 12, 31),
    )


def _refuse(case, cast):
    return services.case_refuse(case=case, actor=cast.clerk, reasons="不属于本机关职权范围")


@pytest.mark.parametrize("action", [_supplement, _refuse])
@pytest.mark.parametrize(
    "day, allowed",
    [(D(2026, 10, 13), True), (D(2026, 10, 14), False), (D(2026, 10, 20), False)],
)
def test_no_supplement_or_refusal_after_the_intake_window(cast, clock, action, day, allowed):
    clock(D(2026, 9, 30))
    case = submitted_case(cast)
    clock(day)
    if allowed:
        action(case, cast)
        return
    with pytest.raises(ValidationError, match="第三十二条") as error:
        action(case, cast)
    assert "即为受理" in str(error.value)
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert not case.documents.exclude(kind=DocumentKind.RECEIPT).exists()


def test_after_acceptance_by_law_the_clerk_is_told_why(cast, clock):
    clock(D(2026, 9, 30))
    case = submitted_case(cast)
    clock(D(2026, 10, 14))
    sla_scan()
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="依法视为受理"):
        _supplement(case, cast)


@pytest.mark.parametrize(
    "day, expected_accepted_on",
    [(D(2026, 10, 13), D(2026, 10, 13)), (D(2026, 10, 14), D(2026, 9, 30)), (D(2026, 10, 16), D(2026, 9, 30))],
)
def test_late_acceptance_is_dated_on_receipt(cast, clock, day, expected_accepted_on):
    clock(D(2026, 9, 30))
    case = submitted_case(cast)
    clock(day)
    services.case_accept(case=case, actor=cast.clerk)
    case.refresh_from_db()
    assert case.accepted_on == expected_accepted_on
    assert not case.accepted_by_law
    text = pdf_text(case.documents.get(kind=DocumentKind.ACCEPTANCE))
    assert ("按收到申请材料之日计算" in text) is (day > D(2026, 10, 13))


def test_one_time_notice(cast, clock):
    """A second request may only name what came with the first supplement; the case page shows
    which request each item came from."""
    clock(D(2026, 9, 1))
    case = submitted_case(cast)
    form, identity = case.item_version.materials.order_by("order")[:2]
    clock(D(2026, 9, 1), hour=11)
    services.case_request_supplement(
        case=case, actor=cast.clerk, items=[{"material": form, "reason": "缺少签名"}], due=D(2026, 9, 15)
    )
    clock(D(2026, 9, 3))
    case.refresh_from_db()
    services.case_attach_material(case=case, actor=cast.citizen, upload=pdf_upload("新申请书.pdf"), material=form)
    services.case_supplement(case=case, actor=cast.citizen)
    clock(D(2026, 9, 4))
    case.refresh_from_db()
    for items, name in [
        ([{"material": identity, "reason": "已过有效期"}], "申请人身份证明"),  # handed in at first, not resubmitted
        ([{"material": None, "name": "营业执照", "reason": "缺少"}], "营业执照"),  # something new to ask for
        ([{"material": form, "reason": "新文件页码不全"}, {"material": identity, "reason": "模糊"}], "申请人身份证明"),
    ]:
        with pytest.raises(ValidationError, match="第一次补正告知") as error:
            services.case_request_supplement(case=case, actor=cast.clerk, items=items, due=D(2026, 9, 20))
        assert name in str(error.value)
        case.refresh_from_db()
        assert case.state == CaseState.SUBMITTED and case.supplement_requests.count() == 1
    services.case_request_supplement(
        case=case, actor=cast.clerk, items=[{"material": form, "reason": "新文件页码不全"}], due=D(2026, 9, 20)
    )
    assert case.supplement_requests.count() == 2
    # The supplement got its own receipt.
    receipts = case.documents.filter(kind=DocumentKind.RECEIPT).order_by("issued_at", "pk")
    assert receipts.count() == 2 and "新申请书.pdf" in pdf_text(receipts.last())


def test_case_page_shows_which_request_each_item_came_from(cast, clock, client):
    clock(D(2026, 9, 1))
    case = submitted_case(cast)
    form = case.item_version.materials.order_by("order").first()
    services.case_request_supplement(
        case=case, actor=cast.clerk, items=[{"material": form, "reason": "缺少签名"}], due=D(2026, 9, 15)
    )
    client.force_login(cast.citizen)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "第1次补正告知" in page and "缺少签名" in page


def test_receipt_for_every_submission(cast, clock):
    clock(D(2026, 9, 30))
    case = submitted_case(cast)
    receipt = case.documents.get(kind=DocumentKind.RECEIPT)
    assert "收" in receipt.number and receipt.number.endswith("号")
    assert case.events.filter(kind=EventKind.RECEIPT_ISSUED, document=receipt).exists()
    text = pdf_text(receipt)
    for material in case.item_version.materials.all():
        assert material.name in text
    assert "2026年10月13日前" in text  # the date by which intake will be decided
    assert case.number in text


def test_receipt_downloadable_from_the_case_page(cast, client, clock):
    clock(D(2026, 9, 30))
    case = submitted_case(cast)
    receipt = case.documents.get(kind=DocumentKind.RECEIPT)
    client.force_login(cast.citizen)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    link = f"/cases/{case.pk}/documents/{receipt.pk}/"
    assert link in page
    response = client.get(link)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_counter_application_gets_a_receipt(cast):
    from .test_service_counter import record  # noqa: PLC0415

    case = record(cast)
    assert Case.objects.get(pk=case.pk).documents.filter(kind=DocumentKind.RECEIPT).count() == 1
