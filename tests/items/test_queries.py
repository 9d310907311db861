"""The catalogue and guide pages run a fixed number of queries whatever the list length;
with a warm cache they run none of their own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hall.models import Hall
from hall.pagecache import local

from .factories import BundleFactory, ItemVersionFactory, MaterialFactory

pytestmark = pytest.mark.django_db


def _forget_cached_pages() -> None:
    from django.core.cache import cache as shared_cache

    local.clear()
    shared_cache.clear()


def _count(client, url) -> int:
    _forget_cached_pages()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _theme_everything(versions):
    from items.models import LifeEvent, Theme

    theme, _ = Theme.objects.get_or_create(name="开办企业", audience="enterprise")
    event, _ = LifeEvent.objects.get_or_create(name="开办", audience="enterprise")
    for v in versions:
        v.themes.add(theme)
        v.life_events.add(event)


@pytest.mark.parametrize("url_params", [{}, {"q": "sl"}, {"audience": "enterprise", "q": "事项"}])
def test_catalogue_queries_do_not_grow_with_the_list(client, cast, url_params, django_assert_num_queries):
    url = reverse("items:catalogue")
    if url_params:
        from urllib.parse import urlencode

        url += "?" + urlencode(url_params)
    few = [ItemVersionFactory(name=f"示例事项{i}") for i in range(3)]
    _theme_everything(few)
    three = _count(client, url)
    # A count, the page of items, departments, regions, themes, life events.
    assert three == 6
    many = few + [ItemVersionFactory(name=f"示例事项{i}") for i in range(3, 30)]
    _theme_everything(many)
    _forget_cached_pages()
    with django_assert_num_queries(three):
        assert client.get(url).status_code == 200


def test_catalogue_page_with_a_warm_cache_runs_no_query_of_its_own(client, cast, django_assert_num_queries):
    for i in range(5):
        ItemVersionFactory(name=f"示例事项{i}")
    url = reverse("items:catalogue")
    client.get(url)
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


def test_guide_queries_do_not_grow_with_materials_steps_and_halls(client, cast, django_assert_num_queries):
    small = ItemVersionFactory(materials=3, steps=["受理", "决定"])
    big = ItemVersionFactory(materials=30, steps=[f"环节{i}" for i in range(10)], receivable_halls=Hall.objects.all())
    for version in (small, big):
        for material in version.materials.all()[:2]:
            material.blank_form.name = "items/forms/x.pdf"
            material.save()
        version.themes.create(name=f"主题{version.pk}", audience="person")
    assert _count(client, reverse("items:guide", args=[small.item_id])) == _count(
        client, reverse("items:guide", args=[big.item_id])
    )


def test_bundle_queries_do_not_grow_with_items(client, cast):
    small = BundleFactory(items=[ItemVersionFactory().item for _ in range(2)])
    items = [ItemVersionFactory().item for _ in range(8)]
    for item in items:
        MaterialFactory(version=item.current_version, name="营业执照")
    big = BundleFactory(items=items)
    assert _count(client, reverse("items:bundle", args=[small.pk])) == _count(
        client, reverse("items:bundle", args=[big.pk])
    )


def test_a_cached_page_carries_each_visitor_their_own_valid_csrf_token(cast):
    """Anonymous pages are cached whole; the forms in the navigation must still work for every visitor."""
    import re

    from django.test import Client

    ItemVersionFactory(name="营业执照遗失补领")
    url = reverse("items:catalogue")
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        html = visitor.get(url).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        assert "tongban-page-csrf" not in html
        tokens.append(token)
        response = visitor.post(reverse("toggle_large_text"), {"csrfmiddlewaretoken": token, "next": url})
        assert response.status_code == 302
    assert tokens[0] != tokens[1]
