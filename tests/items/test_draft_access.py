"""Catalogue admins read and write only their own department's and county's drafts and the drafts'
files; published guides (and their files) stay public."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from items.models import ItemVersion
from tests import samples

from .helpers import edit_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def draft_with_files(published, change_of, media_root):
    change = change_of(published)
    version = change.version
    material = version.materials.order_by("order", "id").first()
    material.blank_form.save("draft-form.pdf", ContentFile(samples.PDF), save=True)
    version.result_sample.save("draft-result.pdf", ContentFile(samples.PDF), save=True)
    return change, material


def _draft_urls(change, material):
    return [
        reverse("items:version", args=[change.version_id]),
        reverse("items:material_file", args=[material.pk, "blank_form"]),
        reverse("items:result_sample", args=[change.version_id]),
        reverse("items:change", args=[change.pk]),
        reverse("items:change_edit", args=[change.pk]),
    ]


def test_another_countys_catalogue_admin_cannot_read_a_draft_or_its_files(client, cast, draft_with_files):
    change, material = draft_with_files
    client.force_login(cast.other_catalogue_admin)
    for url in _draft_urls(change, material):
        assert client.get(url).status_code == 404, url


def test_another_countys_catalogue_admin_cannot_write_a_draft(client, cast, draft_with_files):
    change, _material = draft_with_files
    client.force_login(cast.other_catalogue_admin)
    data = edit_post_data(change.version, promised_days="3", save="1")
    response = client.post(reverse("items:change_edit", args=[change.pk]), data)
    assert response.status_code == 404
    assert ItemVersion.objects.get(pk=change.version_id).promised_days != 3


@pytest.mark.parametrize("who", ["citizen", "clerk"])
def test_outsiders_cannot_read_a_draft_or_its_files(client, cast, draft_with_files, who):
    change, material = draft_with_files
    client.force_login(getattr(cast, who))
    for url in _draft_urls(change, material)[:3]:
        assert client.get(url).status_code == 404, url


def test_the_owner_reads_its_draft_and_files(client, cast, draft_with_files):
    change, material = draft_with_files
    client.force_login(cast.catalogue_admin)
    for url in _draft_urls(change, material):
        assert client.get(url).status_code == 200, url


def test_published_guides_and_files_stay_public(client, published, media_root):
    material = published.materials.order_by("order", "id").first()
    material.blank_form.save("form.pdf", ContentFile(samples.PDF), save=True)
    assert client.get(reverse("items:version", args=[published.pk])).status_code == 200
    assert client.get(reverse("items:material_file", args=[material.pk, "blank_form"])).status_code == 200
