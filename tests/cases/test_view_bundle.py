"""一件事 application page: one form, each combined material uploaded once, a parent case with one child
per item; submitted together."""

import pytest
from django.urls import reverse

from cases.constants import CaseState
from cases.models import Case
from tests.items.factories import BundleFactory

from .factories import pdf_upload

pytestmark = pytest.mark.django_db


def _data(cast, files: dict, action="submit"):
    return {
        "applicant_id_number": cast.citizen.id_number,
        "contact_mobile": cast.citizen.mobile,
        "action": action,
        **files,
    }


def test_bundle_page_lists_the_combined_materials_once(client, cast):
    bundle = BundleFactory()
    client.force_login(cast.citizen)
    response = client.get(reverse("cases:apply_bundle", args=[bundle.pk]))
    assert response.status_code == 200
    combined = response.context["combined"]
    names = [line.name for line in combined]
    assert len(names) == len(set(names))
    assert all(f'name="line_{i}"' in response.content.decode() for i in range(len(combined)))


def test_apply_and_submit_a_bundle(client, cast):
    bundle = BundleFactory()
    client.force_login(cast.citizen)
    combined = client.get(reverse("cases:apply_bundle", args=[bundle.pk])).context["combined"]
    files = {f"line_{i}": pdf_upload(f"{line.name}.pdf") for i, line in enumerate(combined)}
    response = client.post(reverse("cases:apply_bundle", args=[bundle.pk]), _data(cast, files))
    parent = Case.objects.get(parent__isnull=True)
    assert response["Location"] == reverse("cases:detail", args=[parent.pk])
    children = list(parent.children.all())
    assert len(children) == 2
    assert all(child.state == CaseState.SUBMITTED for child in children)
    assert all(child.materials.filter(superseded=False).count() == 2 for child in children)
    page = client.get(response["Location"]).content.decode()
    assert all(child.item_version.name in page for child in children)


def test_bundle_saved_as_draft_then_submitted_from_its_page(client, cast):
    bundle = BundleFactory()
    client.force_login(cast.citizen)
    response = client.post(reverse("cases:apply_bundle", args=[bundle.pk]), _data(cast, {}, "save"))
    parent = Case.objects.get(parent__isnull=True)
    assert parent.state == CaseState.DRAFT
    response = client.post(reverse("cases:submit", args=[parent.pk]), follow=True)
    assert "还不能提交" in response.content.decode()
    parent.refresh_from_db()
    assert parent.state == CaseState.DRAFT


def test_clerk_works_each_child_not_the_parent(client, cast):
    bundle = BundleFactory()
    client.force_login(cast.citizen)
    combined = client.get(reverse("cases:apply_bundle", args=[bundle.pk])).context["combined"]
    files = {f"line_{i}": pdf_upload(f"{line.name}.pdf") for i, line in enumerate(combined)}
    client.post(reverse("cases:apply_bundle", args=[bundle.pk]), _data(cast, files))
    parent = Case.objects.get(parent__isnull=True)
    client.force_login(cast.clerk)
    numbers = {line.number for line in client.get(reverse("cases:clerk_workbench")).context["page"].object_list}
    assert numbers == {child.number for child in parent.children.all()}  # each child, not the parent
    page = client.get(reverse("cases:review", args=[parent.pk])).content.decode()
    assert "受理并出具受理通知书" not in page
    assert all(reverse("cases:review", args=[child.pk]) in page for child in parent.children.all())
