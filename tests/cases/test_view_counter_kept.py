"""Counter intake keeps what passed: when a scan or a field is refused, the scans that passed are held for
the application being prepared (no case, number, receipt, event or notice until it is received), the page
says which were kept and which must be scanned again, and the next post with only what was missing
receives the application with every scan."""

import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.constants import CaseState
from cases.models import Case, CaseEvent, CounterScan, Document
from hall.demo import make_id_number
from hall.models import Notice
from hall.selectors import user_by_id_number
from tests import samples
from tests.items.factories import ItemVersionFactory

from .factories import pdf_upload, png_upload

pytestmark = pytest.mark.django_db

POLYGLOT = samples.PNG + samples.zip_bytes()
WALK_IN = make_id_number("441702", "19800101", "135")


def _data(*, checked=True, files=None, draft=None, seen=()):
    data = {
        "applicant-id_number": WALK_IN,
        "applicant-real_name": "王小明",
        "applicant-mobile": "13712345678",
        "applicant-description": "窗口申请",
        "originals-originals_seen": [str(pk) for pk in seen],
    }
    if checked:
        data["applicant-identity_checked"] = "on"
    if draft:
        data["counter_draft"] = str(draft)
    for material, upload in (files or {}).items():
        data[f"scan-material_{material.pk}"] = upload
    return data


def _nothing_received():
    assert not Case.objects.exists() and user_by_id_number(WALK_IN) is None
    assert not CaseEvent.objects.exists() and not Document.objects.exists() and not Notice.objects.exists()


def test_a_refused_scan_keeps_the_one_that_passed_and_receives_nothing(
    client, cast, django_capture_on_commit_callbacks
):
    version = ItemVersionFactory()
    first, second = version.materials.order_by("order")
    client.force_login(cast.clerk)
    url = reverse("cases:counter_apply", args=[version.item.pk])
    files = {first: pdf_upload("申请书扫描.pdf"), second: SimpleUploadedFile("身份证.png", POLYGLOT)}
    response = client.post(url, _data(files=files))
    assert response.status_code == 200
    html = response.content.decode()
    assert "已暂存" in html and "申请书扫描.pdf" in html  # the kept scan, named
    assert "请重新选择" in html and second.name in html  # the refused one, named
    assert "附带了其他数据" in " ".join(response.context["uploads"].errors[f"material_{second.pk}"])
    scan = CounterScan.objects.get()
    assert (scan.material, scan.original_name, scan.clerk) == (first, "申请书扫描.pdf", cast.clerk)
    draft = response.context["draft"]
    assert draft == scan.draft and f'name="counter_draft" value="{draft}"' in html
    _nothing_received()
    # The second post with only the missing scan receives the application with both.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _data(files={second: png_upload("身份证.png")}, draft=draft, seen=[first.pk]))
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:review", args=[case.pk])
    assert case.state == CaseState.SUBMITTED and case.number
    current = dict(case.materials.filter(superseded=False).values_list("material_id", "original_name"))
    assert current == {first.pk: "申请书扫描.pdf", second.pk: "身份证.png"}
    assert case.materials.get(material=first).originals_seen
    assert case.materials.get(material=first).sha256 == scan.sha256
    assert not CounterScan.objects.exists() and not default_storage.exists(scan.file.name)


def test_a_refused_field_keeps_the_scans_and_creates_no_account(client, cast):
    version = ItemVersionFactory()
    first, second = version.materials.order_by("order")
    client.force_login(cast.clerk)
    url = reverse("cases:counter_apply", args=[version.item.pk])
    response = client.post(url, _data(checked=False, files={first: pdf_upload(), second: png_upload()}))
    assert response.status_code == 200
    assert response.context["applicant_form"].errors["identity_checked"]
    assert CounterScan.objects.count() == 2
    _nothing_received()
    form = response.context["uploads"]
    assert "申请书.pdf" in form.fields[f"material_{first.pk}"].help_text
    response = client.post(url, _data(draft=response.context["draft"]))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.materials.filter(superseded=False).count() == 2 and case.applicant == user_by_id_number(WALK_IN)
    assert not CounterScan.objects.exists()


def test_a_held_scan_is_replaced_by_a_new_one(client, cast, django_capture_on_commit_callbacks):
    version = ItemVersionFactory()
    first = version.materials.order_by("order").first()
    client.force_login(cast.clerk)
    url = reverse("cases:counter_apply", args=[version.item.pk])
    draft = client.post(url, _data(checked=False, files={first: pdf_upload("旧.pdf")})).context["draft"]
    old = CounterScan.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _data(checked=False, files={first: pdf_upload("新.pdf")}, draft=draft))
    assert response.context["draft"] == draft
    assert list(CounterScan.objects.values_list("original_name", flat=True)) == ["新.pdf"]
    assert not default_storage.exists(old.file.name)


def test_held_scans_belong_to_their_own_form(client, cast):
    """A fresh form, or a draft id that is not this clerk's, starts empty: no one else's scans."""
    version = ItemVersionFactory()
    first = version.materials.order_by("order").first()
    client.force_login(cast.clerk)
    url = reverse("cases:counter_apply", args=[version.item.pk])
    client.post(url, _data(checked=False, files={first: pdf_upload("别人的.pdf")}))
    page = client.get(url)
    assert page.context["held"] == [] and "别人的.pdf" not in page.content.decode()
    response = client.post(url, _data(draft=uuid.uuid4()))
    assert response.status_code == 302
    assert not Case.objects.get().materials.exists()
    assert CounterScan.objects.count() == 1  # the abandoned form's scan stays its own


def test_nothing_is_held_when_nothing_passed(client, cast):
    version = ItemVersionFactory()
    first = version.materials.order_by("order").first()
    client.force_login(cast.clerk)
    url = reverse("cases:counter_apply", args=[version.item.pk])
    bad = SimpleUploadedFile("扫描件.pdf", b"%PDF-1.4 not really")
    response = client.post(url, _data(files={first: bad}))
    assert response.status_code == 200 and response.context["uploads"].errors
    assert response.context["draft"] is None and not CounterScan.objects.exists()
    _nothing_received()
