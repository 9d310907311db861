"""The standard reason tags per level (evaluation/data/reason_tags.json: eight per level, as on the
national platform; GB/T 39735-2020). A tag is stored by its code, `<level>-<nn>`, with its label."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "reason_tags.json"


@dataclass(frozen=True)
class ReasonTag:
    code: str
    level: int
    label: str


@cache
def reason_tags() -> dict[int, list[ReasonTag]]:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {
        int(level): [ReasonTag(f"{level}-{n:02d}", int(level), label) for n, label in enumerate(labels, 1)]
        for level, labels in raw.items()
        if not level.startswith("_")
    }


def tags_for_level(level: int) -> list[ReasonTag]:
    return reason_tags().get(int(level), [])


def tag_by_code(code: str) -> ReasonTag | None:
    level = code.split("-", 1)[0]
    if not level.isdigit():
        return None
    return next((tag for tag in tags_for_level(int(level)) if tag.code == code), None)
