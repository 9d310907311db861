import pytest
from django.urls import reverse

from items.constants import CrossAreaScope

from .factories import ItemVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(cast):
    licence = ItemVersionFactory(name="营业执照遗失补领", keywords="证照 补办", service_objects="2")
    food = ItemVersionFactory(name="食品经营许可证核发", service_objects="2")
    food.themes.create(name="餐饮", audience="enterprise")
    social = ItemVersionFactory(
        name="城乡居民基本养老保险参保登记",
        service_objects="1",
        cross_area_scope=CrossAreaScope.CROSS_COUNTY,
        item__department=cast.market_yd,
        item__region=cast.market_yd.region,
    )
    return {"licence": licence, "food": food, "social": social}


def get(client, **params):
    response = client.get(reverse("items:catalogue"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("params", "found", "not_found"),
    [
        ({"q": "yyzz"}, ["营业执照遗失补领"], ["食品经营许可证核发"]),
        ({"q": "YYZZ"}, ["营业执照遗失补领"], ["食品经营许可证核发"]),
        ({"q": "营业执"}, ["营业执照遗失补领"], ["食品经营许可证核发"]),
        ({"q": "补办"}, ["营业执照遗失补领"], ["食品经营许可证核发"]),
        ({"q": "许可 食品"}, ["食品经营许可证核发"], ["营业执照遗失补领"]),
        ({"audience": "person"}, ["城乡居民基本养老保险参保登记"], ["食品经营许可证核发"]),
        ({"audience": "enterprise"}, ["食品经营许可证核发"], ["城乡居民基本养老保险参保登记"]),
        ({"scope": "cross_county"}, ["城乡居民基本养老保险参保登记"], ["营业执照遗失补领"]),
    ],
)
def test_search_and_filters(client, catalogue, params, found, not_found):
    html = get(client, **params)
    for name in found:
        assert name in html
    for name in not_found:
        assert name not in html


def test_search_by_code(client, catalogue):
    item = catalogue["food"].item
    html = get(client, q=item.implementation_code)
    assert "食品经营许可证核发" in html and "营业执照遗失补领" not in html


def test_filter_by_department_region_and_theme(client, cast, catalogue):
    html = get(client, department=cast.market_yd.pk)
    assert "城乡居民基本养老保险参保登记" in html and "食品经营许可证核发" not in html
    html = get(client, region=cast.market_jc.region_id)
    assert "食品经营许可证核发" in html and "城乡居民基本养老保险参保登记" not in html
    theme = catalogue["food"].themes.get()
    html = get(client, theme=theme.pk)
    assert "食品经营许可证核发" in html and "营业执照遗失补领" not in html


def test_bad_filter_values_are_ignored_with_a_message(client, catalogue):
    html = get(client, department="abc", region="1 OR 1=1", page="x", audience="robot", q="%" * 300)
    assert "筛选条件有误" in html


def test_no_result_says_so_in_plain_words(client, catalogue):
    assert "没有找到符合条件的事项" in get(client, q="不存在的事项")


def test_drafts_and_cancelled_items_are_not_listed(client, catalogue):
    ItemVersionFactory(name="尚未发布的草稿事项", draft=True)
    html = get(client)
    assert "尚未发布的草稿事项" not in html
    assert "食品经营许可证核发" in html


def test_home_page_links_to_the_catalogue(client, catalogue):
    html = client.get(reverse("home")).content.decode()
    assert reverse("items:catalogue") in html and 'name="q"' in html
