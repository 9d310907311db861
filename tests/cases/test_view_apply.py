"""Online application pages: the form, uploads per material, draft, completeness check, submission."""

import pytest
from django.urls import reverse

from cases.constants import CaseState
from cases.models import Case, SubmittedMaterial
from hall.models import Hall

from .factories import PDF_BYTES, pdf_upload, png_upload
from .helpers import version_with_materials

pytestmark = pytest.mark.django_db


def _post_data(cast, version, files: dict, action: str = "save", **extra):
    data = {
        "applicant_id_number": cast.citizen.id_number,
        "contact_mobile": cast.citizen.mobile,
        "description": "申请开办个体工商户",
        "action": action,
        # 送达方式 (asked with the application): pick up at the hall the form offers first.
        "delivery_method": "pickup",
        "delivery_hall": str(Hall.objects.order_by("-is_city_hall", "code").values_list("pk", flat=True).first()),
        **extra,
    }
    for material, upload in files.items():
        data[f"material_{material.pk}"] = upload
    return data


def _materials(version):
    return list(version.materials.order_by("order", "pk"))


def test_apply_page_lists_each_guide_material_with_its_tags(client, cast):
    version = version_with_materials()
    client.force_login(cast.citizen)
    response = client.get(reverse("cases:apply", args=[version.item.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for material in _materials(version):
        assert f'name="material_{material.pk}"' in html
        assert material.name in html
    assert "必备" in html and "可容缺" in html
    assert cast.citizen.id_number in html  # prefilled from the account


def test_save_draft_with_uploads_then_completeness_check_shows(client, cast):
    version = version_with_materials()
    first, second = _materials(version)[:2]
    client.force_login(cast.citizen)
    response = client.post(
        reverse("cases:apply", args=[version.item.pk]), _post_data(cast, version, {first: pdf_upload()})
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:edit", args=[case.pk])
    assert case.state == CaseState.DRAFT
    assert case.form_data["description"] == "申请开办个体工商户"
    assert case.materials.filter(material=first, superseded=False).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "材料完整性检查" in page
    assert second.name in page


def test_submit_straight_from_the_form_when_complete(client, cast):
    version = version_with_materials()
    files = {
        m: (pdf_upload(f"{m.name}.pdf") if i % 2 == 0 else png_upload()) for i, m in enumerate(_materials(version))
    }
    client.force_login(cast.citizen)
    response = client.post(reverse("cases:apply", args=[version.item.pk]), _post_data(cast, version, files, "submit"))
    case = Case.objects.get()
    assert case.state == CaseState.SUBMITTED
    assert case.number
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    detail = client.get(response["Location"]).content.decode()
    assert case.number in detail and "提交申请" in detail


def test_submit_with_a_missing_mandatory_material_keeps_the_draft_and_says_what_is_missing(client, cast):
    version = version_with_materials()
    client.force_login(cast.citizen)
    response = client.post(
        reverse("cases:apply", args=[version.item.pk]), _post_data(cast, version, {}, "submit"), follow=True
    )
    case = Case.objects.get()
    assert case.state == CaseState.DRAFT
    html = response.content.decode()
    assert "还不能提交" in html
    mandatory = [m for m in _materials(version) if m.mandatory and not m.deferrable]
    assert all(m.name in html for m in mandatory)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("申请书.pdf", b"", "空"),
        ("申请书.pdf", b"just some text, not a pdf", "不符"),
        ("申请书.exe", b"MZ\x90\x00" + b"\x00" * 60, "不支持"),
        ("申请书.png", PDF_BYTES, "不符"),
    ],
)
def test_bad_file_gets_a_message_next_to_its_input_and_nothing_is_saved(client, cast, name, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    version = version_with_materials()
    first = _materials(version)[0]
    client.force_login(cast.citizen)
    upload = SimpleUploadedFile(name, content)
    response = client.post(reverse("cases:apply", args=[version.item.pk]), _post_data(cast, version, {first: upload}))
    assert response.status_code == 200
    form = response.context["uploads"]
    assert message in " ".join(form.errors[f"material_{first.pk}"])
    assert not Case.objects.exists() and not SubmittedMaterial.objects.exists()


def test_oversize_file_is_refused(client, cast, settings):
    settings.TONGBAN_MAX_UPLOAD_BYTES = 50
    version = version_with_materials()
    first = _materials(version)[0]
    client.force_login(cast.citizen)
    upload = pdf_upload(content=PDF_BYTES + b"0" * 100)
    response = client.post(reverse("cases:apply", args=[version.item.pk]), _post_data(cast, version, {first: upload}))
    assert "超过" in " ".join(response.context["uploads"].errors[f"material_{first.pk}"])
    assert not Case.objects.exists()


def test_id_number_not_matching_the_account_is_refused(client, cast):
    version = version_with_materials()
    client.force_login(cast.citizen)
    data = _post_data(cast, version, {})
    data["applicant_id_number"] = cast.other_citizen.id_number
    response = client.post(reverse("cases:apply", args=[version.item.pk]), data)
    assert response.status_code == 200
    assert "不一致" in " ".join(response.context["form"].errors["applicant_id_number"])
    assert not Case.objects.exists()


def test_missing_required_field_is_refused(client, cast):
    version = version_with_materials()
    client.force_login(cast.citizen)
    data = _post_data(cast, version, {})
    data["contact_mobile"] = ""
    response = client.post(reverse("cases:apply", args=[version.item.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["contact_mobile"]
    assert not Case.objects.exists()


def test_agent_fields_are_required_together(client, cast):
    version = version_with_materials()
    client.force_login(cast.citizen)
    data = _post_data(cast, version, {}, has_agent="on", agent_name="王五")
    response = client.post(reverse("cases:apply", args=[version.item.pk]), data)
    assert response.context["form"].errors["agent_id_number"]
    assert not Case.objects.exists()


def test_item_not_online_shows_a_plain_page(client, cast):
    version = version_with_materials(online_application=False)
    client.force_login(cast.citizen)
    response = client.get(reverse("cases:apply", args=[version.item.pk]))
    assert response.status_code == 200
    assert "暂不支持在线申请" in response.content.decode()


def test_staff_cannot_use_the_online_form(client, cast):
    version = version_with_materials()
    client.force_login(cast.clerk)
    response = client.get(reverse("cases:apply", args=[version.item.pk]))
    assert response.status_code == 403 and "工作人员账号不能在线申请" in response.content.decode()


def test_edit_draft_replaces_a_file_and_submits(client, cast):
    version = version_with_materials()
    materials = _materials(version)
    client.force_login(cast.citizen)
    client.post(reverse("cases:apply", args=[version.item.pk]), _post_data(cast, version, {materials[0]: png_upload()}))
    case = Case.objects.get()
    files = {m: pdf_upload(f"{m.name}.pdf") for m in materials}
    response = client.post(reverse("cases:edit", args=[case.pk]), _post_data(cast, version, files, "submit"))
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED, response.content.decode()[:2000]
    assert case.materials.filter(material=materials[0], superseded=True).count() == 1


def test_remove_material_from_draft(client, cast):
    version = version_with_materials()
    first = _materials(version)[0]
    client.force_login(cast.citizen)
    client.post(reverse("cases:apply", args=[version.item.pk]), _post_data(cast, version, {first: pdf_upload()}))
    case = Case.objects.get()
    submitted = case.materials.get()
    response = client.post(reverse("cases:remove_material", args=[case.pk, submitted.pk]))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.superseded


def test_apply_page_points_to_an_existing_draft(client, cast):
    version = version_with_materials()
    client.force_login(cast.citizen)
    client.post(reverse("cases:apply", args=[version.item.pk]), _post_data(cast, version, {}))
    case = Case.objects.get()
    response = client.get(reverse("cases:apply", args=[version.item.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("cases:edit", args=[case.pk])
    client.force_login(cast.other_citizen)
    response = client.get(reverse("cases:apply", args=[version.item.pk]))
    assert response.status_code == 200 and reverse("cases:edit", args=[case.pk]) not in response.content.decode()
