"""The counter's item picker: the catalogue's search over the hall's own items, as a page and as
the htmx fragment the search box asks for while the clerk types."""

import pytest
from django.urls import reverse

from tests.items.factories import ItemVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_items(cast):
    hall = cast.halls["JC"]
    licence = ItemVersionFactory(name="食品经营许可证核发", receivable_halls=[hall]).item
    other = ItemVersionFactory(name="个体工商户注册登记", receivable_halls=[hall]).item
    return licence, other


def test_search_by_pinyin_initials_lists_links_to_intake(client, cast, two_items):
    licence, other = two_items
    client.force_login(cast.clerk)
    body = client.get(reverse("cases:counter"), {"q": "spjy"}).content.decode()
    assert reverse("cases:counter_apply", args=[licence.pk]) in body
    assert reverse("cases:counter_apply", args=[other.pk]) not in body


def test_htmx_gets_the_result_list_alone(client, cast, two_items):
    client.force_login(cast.clerk)
    response = client.get(reverse("cases:counter"), {"q": "个体"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="item-results"')
    assert "个体工商户注册登记" in body and "<nav" not in body


def test_no_match_says_so(client, cast, two_items):
    client.force_login(cast.clerk)
    body = client.get(reverse("cases:counter"), {"q": "不存在的事项"}).content.decode()
    assert "没有与“不存在的事项”相符的可收件事项" in body


def test_outsiders_get_404(client, cast):
    client.force_login(cast.citizen)
    assert client.get(reverse("cases:counter"), {"q": "食品"}).status_code == 404
