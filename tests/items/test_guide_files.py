"""Blank forms, samples and imports of the catalogue go through the portal's one upload check, by content."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from items.io import HEADERS, items_export
from items.models import Material
from tests import samples

from .factories import ItemVersionFactory
from .helpers import edit_post_data
from .test_io import _csv_rows, _import

ZIP = samples.zip_bytes()
EXE = b"MZ\x90\x00\x03" + b"\x00" * 200


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "words"),
    [("样表.jpg", EXE, "内容与扩展名不符"), ("样表.png", samples.PNG + ZIP, "附带了其他数据")],
)
def test_catalogue_blank_form_and_sample_are_checked_by_content(
    client, cast, published, change_of, media_root, name, content, words
):
    change = change_of(published)
    material = change.version.materials.order_by("order", "id").first()
    client.force_login(cast.catalogue_admin)
    data = edit_post_data(change.version, save="1")
    data["materials-0-sample"] = SimpleUploadedFile(name, content)
    response = client.post(reverse("items:change_edit", args=[change.pk]), data)
    assert response.status_code == 400
    errors = " ".join(response.context["materials"].forms[0].errors["sample"])
    assert words in errors and name in errors
    assert not Material.objects.get(pk=material.pk).sample


@pytest.mark.django_db
def test_catalogue_import_of_a_renamed_file_is_refused_next_to_the_field(client, cast):
    client.force_login(cast.catalogue_admin)
    upload = SimpleUploadedFile("事项.xlsx", samples.PNG)
    data = {"file": upload, "cause": "standardisation", "cause_note": "统一标准", "cause_date": "2026-01-05"}
    response = client.post(reverse("items:io_import"), data)
    assert response.status_code == 200
    assert "内容与扩展名不符" in " ".join(response.context["form"].errors["file"])


@pytest.mark.django_db
@pytest.mark.parametrize("cause_date", ["0001-01-01", "1900-05-04"])
def test_a_cause_date_before_any_record_is_refused(client, cast, published, cause_date):
    client.force_login(cast.catalogue_admin)
    response = client.post(
        reverse("items:change_new", args=[published.item_id]),
        {"kind": "change", "cause": "law_revised", "cause_note": "条例修订", "cause_date": cause_date},
    )
    assert response.status_code in (200, 400)
    assert "原因发生日期不能早于" in " ".join(response.context["form"].errors["cause_date"])


@pytest.mark.django_db
def test_an_import_with_full_width_or_spaced_codes_is_the_same_catalogue(cast):
    ItemVersionFactory(name="食品经营许可")
    rows = _csv_rows(items_export(user=cast.catalogue_admin, fmt="csv")[0])
    width = str.maketrans(
        "0123456789ABCDEFGHJKLMNPQRTUWXY", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ"
    )
    for row in rows[1:]:
        for header in ("实施编码", "实施主体统一社会信用代码"):
            column = HEADERS.index(header)
            row[column] = " ".join(row[column].translate(width)) + "\u200b"
    result = _import(cast.catalogue_admin, rows)
    assert result.ok, result.errors
    assert result.changed == [] and result.unchanged
