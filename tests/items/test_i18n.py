"""The English UI of the catalogue: cached bodies are kept per language (a body rendered for one
language never reaches a reader of the other), and spreadsheets keep their Chinese labels whatever
the UI language, so that an export re-imports."""

import pytest
from django.urls import reverse
from django.utils import translation

from items.constants import CrossAreaScope
from items.io import export_rows, items_for_export

from .factories import ItemVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(cast):
    return ItemVersionFactory(name="城乡居民基本养老保险参保登记", cross_area_scope=CrossAreaScope.CROSS_COUNTY)


def page(client, url: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous-whole-page", "signed-in-cached-body"])
def test_catalogue_body_is_cached_per_language(client, cast, version, signed_in):
    if signed_in:
        client.force_login(cast.citizen)
    url = reverse("items:catalogue")
    chinese = page(client, url, "zh-hans")
    assert "共找到" in chinese and "通办范围" in chinese
    english = page(client, url, "en")
    assert "1 item found" in english and "Cross-area scope" in english and "City-wide (cross-county)" in english
    assert "共找到" not in english
    assert "共找到" in page(client, url, "zh-hans")


def test_guide_body_is_cached_per_language(client, cast, version):
    client.force_login(cast.citizen)
    url = reverse("items:guide", args=[version.item.pk])
    assert "受理条件" in page(client, url, "zh-hans")
    english = page(client, url, "en")
    assert "Acceptance conditions" in english and "受理条件" not in english
    assert "受理条件" in page(client, url, "zh-hans")


def test_export_keeps_chinese_labels_in_the_english_ui(cast, version):
    with translation.override("zh-hans"):
        chinese = export_rows(items_for_export(cast.admin))
    with translation.override("en"):
        english = export_rows(items_for_export(cast.admin))
    assert english == chinese
    assert any("全市通办（跨县）" in str(cell) for row in english for cell in row)
