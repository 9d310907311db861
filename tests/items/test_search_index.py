import pytest
from django.db import connection

from hall.models import Hall
from items.constants import CrossAreaScope
from items.search import pinyin_initials
from items.selectors import CatalogueFilters, catalogue_search, items_receivable_at

from .factories import ItemVersionFactory

pytestmark = pytest.mark.django_db


def test_pinyin_initials():
    assert pinyin_initials("营业执照") == "yyzz"
    assert pinyin_initials("《食品经营许可证》（新办）") == "spjyxkzxb"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm exists only on PostgreSQL")
def test_trigram_index_serves_the_catalogue_search(cast):
    for n in range(50):
        ItemVersionFactory(name=f"示例事项{n}号", keywords="营业执照")
    items = catalogue_search(CatalogueFilters(q="营业执照"))
    sql, params = items.query.sql_with_params()
    with connection.cursor() as cursor:
        # A test table is tiny: make the planner show whether the index can serve the filter.
        cursor.execute("ANALYZE items_itemversion")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "items_version_search_trgm" in plan, plan
    assert items.count() == 50


def test_items_receivable_at_a_hall(cast):
    local = ItemVersionFactory(name="只在江城办")
    everywhere = ItemVersionFactory(name="全市通办事项", cross_area_scope=CrossAreaScope.CROSS_COUNTY)
    ItemVersionFactory(name="草稿", draft=True, receivable_halls=Hall.objects.all())
    assert set(items_receivable_at(cast.halls["JC"])) == {local.item, everywhere.item}
    assert list(items_receivable_at(cast.halls["YD"])) == [everywhere.item]
