"""Nothing a user chose is lost: files that passed are kept on the draft when another file or a typed field
is refused, the page says which are kept and which must be chosen again; a repeated POST of the
application form returns to the existing draft of the same item."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case, SubmittedMaterial
from hall.models import Hall
from tests import samples

from .factories import pdf_upload, png_upload
from .helpers import version_with_materials

pytestmark = pytest.mark.django_db

POLYGLOT = samples.PNG + samples.zip_bytes()


def _data(cast, files: dict, action: str = "save", **extra):
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


def test_a_repeated_post_returns_to_the_same_draft(client, cast):
    version = version_with_materials()
    first, second = _materials(version)[:2]
    client.force_login(cast.citizen)
    url = reverse("cases:apply", args=[version.item.pk])
    one = client.post(url, _data(cast, {first: pdf_upload()}))
    two = client.post(url, _data(cast, {second: png_upload()}, description="第二次提交"))
    case = Case.objects.get()
    assert one["Location"] == two["Location"] == reverse("cases:edit", args=[case.pk])
    assert case.form_data["description"] == "第二次提交"
    assert set(case.materials.filter(superseded=False).values_list("material_id", flat=True)) == {first.pk, second.pk}


def test_a_refused_file_does_not_drop_the_files_that_passed(client, cast):
    version = version_with_materials()
    first, second = _materials(version)[:2]
    client.force_login(cast.citizen)
    files = {first: pdf_upload("申请书.pdf"), second: SimpleUploadedFile("身份证.png", POLYGLOT)}
    response = client.post(reverse("cases:apply", args=[version.item.pk]), _data(cast, files))
    assert response.status_code == 200
    case = Case.objects.get()
    assert list(case.materials.values_list("material_id", "original_name")) == [(first.pk, "申请书.pdf")]
    html = response.content.decode()
    assert "已保存到草稿" in html and "申请书.pdf" in html
    assert "请重新选择" in html and second.name in html
    assert "附带了其他数据" in " ".join(response.context["uploads"].errors[f"material_{second.pk}"])
    # The page is now the draft's: the next POST completes the same draft.
    again = client.post(reverse("cases:edit", args=[case.pk]), _data(cast, {second: png_upload()}))
    assert again.status_code == 302
    assert Case.objects.count() == 1 and SubmittedMaterial.objects.filter(case=case).count() == 2


def test_a_refused_typed_field_keeps_the_files_and_the_typed_values(client, cast):
    version = version_with_materials()
    first = _materials(version)[0]
    client.force_login(cast.citizen)
    data = _data(cast, {first: pdf_upload("申请书.pdf")}, contact_mobile="１２３", description="经营范围：餐饮")
    response = client.post(reverse("cases:apply", args=[version.item.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["contact_mobile"]
    assert 'value="１２３"' in response.content.decode() or "１２３" in response.content.decode()
    case = Case.objects.get()
    assert case.materials.filter(material=first).exists()
    assert case.form_data.get("description") == "经营范围：餐饮"


def test_the_same_on_the_draft_page(client, cast):
    version = version_with_materials()
    first, second = _materials(version)[:2]
    client.force_login(cast.citizen)
    client.post(reverse("cases:apply", args=[version.item.pk]), _data(cast, {}))
    case = Case.objects.get()
    files = {first: SimpleUploadedFile("申请书.pdf", b"%PDF-1.4 not really"), second: png_upload("身份证.png")}
    response = client.post(reverse("cases:edit", args=[case.pk]), _data(cast, files, action="submit"))
    assert response.status_code == 200
    assert list(case.materials.values_list("material_id", flat=True)) == [second.pk]
    case.refresh_from_db()
    assert case.state == "draft"  # not submitted while a file must be chosen again
    assert "身份证.png" in response.content.decode()


def test_nothing_is_saved_when_nothing_passed(client, cast):
    version = version_with_materials()
    first = _materials(version)[0]
    client.force_login(cast.citizen)
    files = {first: SimpleUploadedFile("申请书.pdf", POLYGLOT)}
    response = client.post(reverse("cases:apply", args=[version.item.pk]), _data(cast, files))
    assert response.status_code == 200
    assert not Case.objects.exists() and not SubmittedMaterial.objects.exists()
