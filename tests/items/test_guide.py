import subprocess

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from items import services
from items.constants import VersionState
from items.models import ItemVersion

from .factories import ItemVersionFactory, MaterialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def guide_version(cast):
    version = ItemVersionFactory(
        name="食品经营许可证核发",
        keywords="餐饮 食堂",
        statutory_days=20,
        promised_days=10,
        handling_unit="行政审批股",
        faq="问：可以网上办吗？\n答：可以。\n\n问：要钱吗？\n答：不收费。",
        result_name="食品经营许可证",
        materials=0,
        steps=["受理", "审查", "决定", "制证送达"],
    )
    material = MaterialFactory(version=version, name="食品经营许可申请书", deferrable=False)
    material.blank_form.save("application.pdf", ContentFile(b"%PDF-1.4 blank form"), save=True)
    MaterialFactory(version=version, name="营业执照", deferrable=True, mandatory=False)
    return version


def test_guide_shows_every_element(client, guide_version):
    html = client.get(reverse("items:guide", args=[guide_version.item_id])).content.decode()
    for text in (
        "食品经营许可证核发",
        guide_version.item.implementation_code,
        guide_version.item.base_item.base_code,
        "江城区市场监督管理局",
        guide_version.item.department.credit_code,
        "行政审批股",
        "受理条件",
        "食品经营许可申请书",
        "可容缺",
        "非必备",
        "制证送达",
        "江城区政务服务中心",
        "问：要钱吗？",
        "data:image/svg+xml",  # the QR code
        "10 工作日",
        "法定 20 工作日",
    ):
        assert text in html, text
    assert html.count('class="flow-node flow-step"') == 4


def test_apply_button_only_when_online_and_when_cases_has_the_page(client, guide_version):
    from items.views.public import apply_url

    html = client.get(reverse("items:guide", args=[guide_version.item_id])).content.decode()
    url = apply_url(guide_version.item)
    assert ('id="apply-online"' in html) == bool(url)
    ItemVersion.objects.filter(pk=guide_version.pk).update(online_application=False)
    from django.core.cache import cache as shared_cache

    from hall.pagecache import local

    local.clear()
    shared_cache.clear()
    html = client.get(reverse("items:guide", args=[guide_version.item_id])).content.decode()
    assert 'id="apply-online"' not in html


def test_blank_form_download(client, guide_version):
    material = guide_version.materials.get(name="食品经营许可申请书")
    response = client.get(reverse("items:material_file", args=[material.pk, "blank_form"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 blank form"
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("kind", ["sample", "nonsense"])
def test_missing_downloads_are_404(client, guide_version, kind):
    material = guide_version.materials.get(name="食品经营许可申请书")
    assert client.get(reverse("items:material_file", args=[material.pk, kind])).status_code == 404


def test_draft_guides_and_their_files_are_not_public(client, cast):
    draft = ItemVersionFactory(draft=True)
    assert client.get(reverse("items:guide", args=[draft.item_id])).status_code == 404
    assert client.get(reverse("items:version", args=[draft.pk])).status_code == 404
    material = MaterialFactory(version=draft)
    material.blank_form.save("x.pdf", ContentFile(b"x"), save=True)
    assert client.get(reverse("items:material_file", args=[material.pk, "blank_form"])).status_code == 404
    client.force_login(cast.catalogue_admin)
    assert client.get(reverse("items:version", args=[draft.pk])).status_code == 200


def test_unknown_item_is_a_404_in_plain_words(client, db):
    response = client.get(reverse("items:guide", args=[999999]))
    assert response.status_code == 404


def test_superseded_version_stays_readable(client, guide_version, change_of, reviewers, cast):
    change = change_of(guide_version)
    services.change_submit(user=cast.catalogue_admin, change=change)
    services.change_legal_approve(user=reviewers[0], change=change)
    services.change_catalogue_approve(user=reviewers[1], change=change)
    guide_version.refresh_from_db()
    assert guide_version.state == VersionState.SUPERSEDED
    html = client.get(reverse("items:version", args=[guide_version.pk])).content.decode()
    assert "历史版本" in html and "食品经营许可证核发" in html


def test_publishing_clears_the_cached_guide(
    client, guide_version, change_of, reviewers, cast, django_capture_on_commit_callbacks
):
    url = reverse("items:guide", args=[guide_version.item_id])
    promised = 'id="promised-days">%s 工作日'
    assert promised % 10 in client.get(url).content.decode()
    change = change_of(guide_version)
    ItemVersion.objects.filter(pk=change.version_id).update(promised_days=3)
    services.change_submit(user=cast.catalogue_admin, change=change)
    services.change_legal_approve(user=reviewers[0], change=change)
    assert promised % 10 in client.get(url).content.decode()  # still the published version
    with django_capture_on_commit_callbacks(execute=True):
        services.change_catalogue_approve(user=reviewers[1], change=change)
    html = client.get(url).content.decode()
    assert promised % 3 in html and promised % 10 not in html


def test_guide_pdf_has_real_chinese_text(client, guide_version, tmp_path):
    response = client.get(reverse("items:guide_pdf", args=[guide_version.item_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "guide.pdf"
    path.write_bytes(response.content)
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    for words in ("食品经营许可证核发办事指南", "食品经营许可申请书", "受理条件", "江城区市场监督管理局"):
        assert words in text.replace("\n", ""), words
    # The page renders to an image (pdftoppm), as a person would look at it.
    result = subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=False
    )
    assert result.returncode == 0


def test_bundle_asks_for_a_shared_material_once(client, cast):
    from .factories import BundleFactory

    first = ItemVersionFactory(name="食品经营许可", materials=0)
    second = ItemVersionFactory(name="公共场所卫生许可", materials=0)
    MaterialFactory(version=first, name="营业执照（副本）")
    MaterialFactory(version=second, name="《营业执照》副本")
    MaterialFactory(version=second, name="卫生检测报告")
    bundle = BundleFactory(name="我要开餐馆", items=[first.item, second.item])
    html = client.get(reverse("items:bundle", args=[bundle.pk])).content.decode()
    assert html.count("只交一次") == 1
    assert "卫生检测报告" in html and "少交 1 份重复材料" in html
    assert client.get(reverse("items:bundles")).status_code == 200
    assert client.get(reverse("items:bundle", args=[999999])).status_code == 404


def test_a_publication_by_another_process_reaches_this_one(client, guide_version, monkeypatch):
    """Another worker publishes: it raises the catalogue's generation in the shared cache; this process
    re-reads it within a second and stops serving its cached page."""
    import time

    from django.core.cache import cache as shared_cache

    from hall import pagecache
    from items.cache import CATALOGUE_PAGES

    url = reverse("items:guide", args=[guide_version.item_id])
    assert "10 工作日" in client.get(url).content.decode()
    ItemVersion.objects.filter(pk=guide_version.pk).update(promised_days=4)  # as if republished elsewhere
    assert "10 工作日" in client.get(url).content.decode()  # cached
    shared_cache.incr(pagecache.GENERATION_KEY + CATALOGUE_PAGES)
    assert "10 工作日" in client.get(url).content.decode()  # this process read the generation just now
    a_second_later = time.monotonic() + pagecache.GENERATION_SECONDS + 0.1
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: a_second_later)
    assert "4 工作日" in client.get(url).content.decode()
