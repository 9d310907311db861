"""Counter application by a window clerk: pick a receivable item, record the applicant and the
identity check, scan the materials with the originals seen, then straight to intake review."""

import pytest
from django.urls import reverse

from cases.constants import CaseState, Channel
from cases.models import Case
from hall.demo import make_id_number
from hall.selectors import user_by_id_number
from tests.factories import EnterpriseFactory
from tests.items.factories import ItemVersionFactory

from .factories import pdf_upload, png_upload

pytestmark = pytest.mark.django_db


def _data(version, *, id_number, name="王小明", mobile="13712345678", checked=True, seen=(), files=None):
    data = {
        "applicant-id_number": id_number,
        "applicant-real_name": name,
        "applicant-mobile": mobile,
        "applicant-description": "窗口申请",
        "originals-originals_seen": [str(pk) for pk in seen],
    }
    if checked:
        data["applicant-identity_checked"] = "on"
    for material, upload in (files or {}).items():
        data[f"scan-material_{material.pk}"] = upload
    return data


def test_item_picker_lists_only_items_the_hall_may_receive(client, cast):
    mine = ItemVersionFactory()
    elsewhere = ItemVersionFactory(receivable_halls=[cast.halls["YD"]])
    client.force_login(cast.clerk)
    response = client.get(reverse("cases:counter"))
    items = list(response.context["form"].fields["item"].queryset)
    assert mine.item in items and elsewhere.item not in items
    response = client.get(reverse("cases:counter"), {"item": mine.item.pk})
    assert response["Location"] == reverse("cases:counter_apply", args=[mine.item.pk])
    assert client.get(reverse("cases:counter_apply", args=[elsewhere.item.pk])).status_code == 404


def test_walk_in_without_account_is_recorded_and_goes_to_review(client, cast):
    version = ItemVersionFactory()
    first, second = version.materials.order_by("order")
    id_number = make_id_number("441702", "19800101", "135")
    client.force_login(cast.clerk)
    data = _data(version, id_number=id_number, seen=[first.pk], files={first: pdf_upload(), second: png_upload()})
    response = client.post(reverse("cases:counter_apply", args=[version.item.pk]), data)
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:review", args=[case.pk])
    assert case.state == CaseState.SUBMITTED and case.channel == Channel.COUNTER and case.identity_checked
    assert case.applicant == user_by_id_number(id_number)
    assert case.materials.get(material=first).originals_seen
    assert not case.materials.get(material=second).originals_seen
    page = client.get(response["Location"]).content.decode()
    assert "已核验原件" in page and "受理并出具受理通知书" in page


def test_existing_account_found_by_id_number_name_must_match(client, cast):
    version = ItemVersionFactory()
    client.force_login(cast.clerk)
    data = _data(version, id_number=cast.citizen.id_number, name="别人", mobile=cast.citizen.mobile)
    response = client.post(reverse("cases:counter_apply", args=[version.item.pk]), data)
    assert response.status_code == 200
    assert response.context["applicant_form"].errors["real_name"]
    assert not Case.objects.exists()
    data = _data(version, id_number=cast.citizen.id_number, name=cast.citizen.real_name, mobile=cast.citizen.mobile)
    client.post(reverse("cases:counter_apply", args=[version.item.pk]), data)
    assert Case.objects.get().applicant == cast.citizen


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"checked": False}, "identity_checked"),
        ({"id_number": "441702198001011234"}, "id_number"),
        ({"mobile": "12345"}, "mobile"),
        ({"name": ""}, "real_name"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(client, cast, change, field):
    version = ItemVersionFactory()
    client.force_login(cast.clerk)
    kwargs = {"id_number": make_id_number("441702", "19800101", "135"), **change}
    response = client.post(reverse("cases:counter_apply", args=[version.item.pk]), _data(version, **kwargs))
    assert response.status_code == 200
    assert response.context["applicant_form"].errors[field]
    assert not Case.objects.exists() and user_by_id_number(kwargs["id_number"]) is None


def test_bad_scan_is_refused_and_nothing_is_saved(client, cast):
    version = ItemVersionFactory()
    first = version.materials.order_by("order").first()
    client.force_login(cast.clerk)
    files = {first: pdf_upload("扫描件.pdf", content=b"not really a pdf")}
    data = _data(version, id_number=make_id_number("441702", "19800101", "135"), files=files)
    response = client.post(reverse("cases:counter_apply", args=[version.item.pk]), data)
    assert response.context["uploads"].errors[f"material_{first.pk}"]
    assert not Case.objects.exists()


def test_enterprise_applies_at_the_counter_through_its_agent(client, cast):
    enterprise = EnterpriseFactory()
    version = ItemVersionFactory()
    client.force_login(cast.clerk)
    agent = enterprise.agent
    data = _data(version, id_number=agent.id_number, name=agent.real_name, mobile=agent.mobile)
    data["applicant-credit_code"] = "91441702MA00000000"
    response = client.post(reverse("cases:counter_apply", args=[version.item.pk]), data)
    assert response.context["applicant_form"].errors["credit_code"]
    other = cast.citizen
    data = _data(version, id_number=other.id_number, name=other.real_name, mobile=other.mobile)
    data["applicant-credit_code"] = enterprise.credit_code
    response = client.post(reverse("cases:counter_apply", args=[version.item.pk]), data)
    assert "经办人" in " ".join(response.context["applicant_form"].errors["credit_code"])
    assert not Case.objects.exists()
    data = _data(version, id_number=agent.id_number, name=agent.real_name, mobile=agent.mobile)
    data["applicant-credit_code"] = enterprise.credit_code.lower()
    assert client.post(reverse("cases:counter_apply", args=[version.item.pk]), data).status_code == 302
    case = Case.objects.get()
    assert case.enterprise == enterprise and case.applicant == agent


def test_id_number_lookup_tells_the_clerk_whether_an_account_exists(client, cast):
    client.force_login(cast.clerk)
    url = reverse("cases:counter_lookup")
    found = client.get(url, {"applicant-id_number": cast.citizen.id_number.lower()}).content.decode()
    assert cast.citizen.real_name in found and cast.citizen.mobile not in found and "****" in found
    new = client.get(url, {"applicant-id_number": make_id_number("441702", "19800101", "135")}).content.decode()
    assert "未注册" in new
    client.force_login(cast.citizen)
    assert client.get(url, {"applicant-id_number": cast.other_citizen.id_number}).status_code == 404
