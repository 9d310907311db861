"""The demo catalogue's legal facts (docs/catalogue.md): each limit in its unit, each extension cap with
its article, no special procedure that the law does not list, 告知承诺 only with replaceable proofs."""

import pytest

from items import demo_catalogue as data

ITEMS = {item["name"]: item for item in data.ITEMS}


@pytest.mark.parametrize(
    "name, field, value",
    [
        ("企业投资项目核准", "extension_max_days", 40),
        ("企业投资项目核准", "statutory_days", 20),
        ("企业设立登记", "extension_max_days", 3),
        ("食品经营许可", "extension_max_days", 5),
        ("内地居民离婚登记", "case_kind", "instant"),  # the cooling-off is the spouses' period, not a limit
        ("内地居民离婚登记", "statutory_days", 0),
        ("失业保险金申领", "limit_unit", "natural_day"),
        ("居住证申领", "limit_unit", "natural_day"),
        ("居住证申领", "extension_max_days", 0),
        ("不动产登记资料查询", "case_kind", "instant"),
    ],
)
def test_catalogue_facts(name, field, value):
    assert ITEMS[name][field] == value


def test_limits_cite_the_law_they_come_from():
    assert "第十条" in ITEMS["企业投资项目核准"]["extension_basis"]
    assert "失业保险金申领发放办法" in ITEMS["失业保险金申领"]["statutory_note"]
    assert "冷静期" in ITEMS["内地居民离婚登记"]["statutory_note"]
    residence = {m["name"]: m for m in ITEMS["居住证申领"]["materials"]}
    assert residence["居住地住址证明"]["mandatory"] and "第九条" in residence["居住地住址证明"]["basis"]
    assert "就业、就读证明" in residence  # every county, for whoever applies on that ground


def test_every_item_states_its_extension_and_special_procedures_by_the_law():
    for item in data.ITEMS:
        cap = item.get("extension_max_days")
        if cap is not None and cap > 0:
            assert item.get("extension_basis"), item["name"]
        for entry in item.get("special_procedure_kinds", []):
            assert entry["name"] and "第" in entry["basis"], item["name"]
        # 现场核查 / 批前公示 are review steps, never a stopped clock.
        assert "不计入" not in (item.get("promised_note") or ""), item["name"]
        if item.get("commitment_allowed"):
            assert any(m["commitment_replaceable"] for m in item["materials"]), item["name"]
            assert item["commitment_text"] and item["commitment_check_days"], item["name"]


def test_each_item_is_one_yaml_file():
    files = sorted(p.stem for p in (data.DATA_DIR / "items").glob("*.yaml"))
    assert files == sorted(item["base_code"] for item in data.ITEMS)
