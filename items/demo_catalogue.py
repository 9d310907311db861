"""The demo catalogue: real items of a Guangdong county catalogue for the demo city 阳江市, as data a
catalogue office can read and correct without reading code (fixtures/catalogue/):

- `items/<base code>.yaml`: one file per base item, the guide elements under the field names of
  `ItemVersion` and `Material`; `department` is a key of `hall.demo.DEPARTMENTS`, `window_category`
  a `WindowCategory` value; `steps` are {name, handler, time_limit, description}. `variants` holds
  what a county does differently (more materials, a longer promised limit, an extra step); `regions`
  limits the counties (default: all four). A material lists only what differs from the defaults in
  `M` below.
- `bundles.yaml`: 一件事一次办 per county; `form_rows.yaml`: the fields printed on the demo forms.

Loaded idempotently by `manage.py seed_catalogue`. How each limit, unit, extension cap and basis was
checked against the law it cites: docs/catalogue.md.
"""

from functools import cache
from pathlib import Path

import yaml
from django.conf import settings

COUNTIES = ("441702", "441704", "441721", "441781")
DATA_DIR = Path(settings.BASE_DIR) / "fixtures" / "catalogue"
STEP_KEYS = ("name", "handler", "time_limit", "description")

# Rules the data keeps (seeds 001/003, DOMAIN.md §2): no catch-all material (其他, 有关材料), every
# material names the article that lets us ask for it, and nothing another department can provide by
# data sharing is asked as paper when it can be checked online.
MATERIAL_DEFAULTS = {
    "material_type": "original",
    "material_form": "both",
    "original_copies": 1,
    "copy_copies": 0,
    "paper_spec": "A4",
    "mandatory": True,
    "source_channel": "applicant",
    "source_note": "",
    "issuing_body": "",
    "acceptance_standard": "",
    "filling_notes": "",
    "deferrable": False,
    "commitment_replaceable": False,
    "blank_form": False,
    "sample": False,
}


def implementation_code(department_credit_code: str, base_code: str) -> str:
    """Department credit code (18) + item type (2) + sequence (4): stable across reseeds."""
    return f"{department_credit_code}{base_code[:2]}{base_code[-4:]}"


def M(name: str, basis: str, **fields) -> dict:  # noqa: N802 - reads like a table row
    """One material row with the defaults of a plain applicant-filled original on paper or online."""
    return {"name": name, "basis": basis, **MATERIAL_DEFAULTS, **fields}


def _material(row: dict) -> dict:
    return M(**row)


def _steps(rows: list) -> list[tuple]:
    return [tuple(row[key] for key in STEP_KEYS) for row in rows]


def _item(data: dict) -> dict:
    item = dict(data)
    item["steps"] = _steps(item["steps"])
    item["materials"] = [_material(row) for row in item["materials"]]
    if "regions" in item:
        item["regions"] = tuple(item["regions"])
    variants = {}
    for region, variant in (item.get("variants") or {}).items():
        variant = dict(variant or {})
        if "extra_materials" in variant:
            variant["extra_materials"] = [_material(row) for row in variant["extra_materials"]]
        if "extra_steps" in variant:
            variant["extra_steps"] = _steps(variant["extra_steps"])
        variants[str(region)] = variant
    item["variants"] = variants
    return item


def _read(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def load_items() -> list[dict]:
    return [_item(_read(path)) for path in sorted((DATA_DIR / "items").glob("*.yaml"))]


@cache
def load_bundles() -> list[dict]:
    return [dict(b, regions=tuple(b["regions"])) for b in _read(DATA_DIR / "bundles.yaml")]


@cache
def load_form_rows() -> dict:
    rows = _read(DATA_DIR / "form_rows.yaml")
    return {key: value if isinstance(value, str) else [tuple(r) for r in value] for key, value in rows.items()}


ITEMS = load_items()
BUNDLES = load_bundles()
FORM_ROWS_DEFAULT = load_form_rows()["default"]
FORM_ROWS = {key: value for key, value in load_form_rows().items() if key != "default"}


def items_for_region(region_code: str) -> list[dict]:
    """The guides as a county implements them: base guide with the county's variant applied."""
    guides = []
    for item in ITEMS:
        if region_code not in item.get("regions", COUNTIES):
            continue
        guides.append(apply_variant(item, item.get("variants", {}).get(region_code, {})))
    return guides


def apply_variant(item: dict, variant: dict) -> dict:
    guide = {key: value for key, value in item.items() if key not in ("variants", "regions")}
    for key, value in variant.items():
        if key == "extra_materials":
            guide["materials"] = [*guide["materials"], *value]
        elif key == "extra_steps":
            steps = list(guide["steps"])
            steps[-1:-1] = value  # before the final step (hand-out)
            guide["steps"] = steps
        else:
            guide[key] = value
    if guide.get("case_kind") == "instant":
        guide["promised_days"] = 0
    return guide


def form_rows(material_name: str) -> list[tuple[str, str]]:
    for key, rows in FORM_ROWS.items():
        if key in material_name:
            return FORM_ROWS[rows] if isinstance(rows, str) else rows
    return FORM_ROWS_DEFAULT
