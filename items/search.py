"""Search helpers: the pinyin initials of an item's name and the one text column that the
catalogue search reads (name, keywords, codes, initials), filled when a version is published."""

import re

from pypinyin import Style, lazy_pinyin

ASCII_QUERY_RE = re.compile(r"^[A-Za-z]+$")


def pinyin_initials(text: str) -> str:
    """'营业执照' → 'yyzz'. Latin letters and digits are kept, lower-cased; punctuation dropped."""
    letters = []
    for part in lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors="default"):
        letters.append("".join(ch for ch in part.lower() if ch.isascii() and ch.isalnum()))
    return "".join(letters)


def build_search_text(version) -> str:
    """Everything a citizen may type, in one lower-cased column (served by a trigram index):
    name, keywords, codes, and the pinyin initials of the name and of each keyword, so that
    "yyzz" finds an item named or tagged 营业执照."""
    item = version.item
    keywords = (version.keywords or "").split()
    parts = [
        version.name,
        *keywords,
        version.business_code,
        item.implementation_code,
        item.base_item.base_code,
        version.pinyin_initials,
        *(pinyin_initials(word) for word in keywords),
    ]
    return " ".join(p for p in parts if p).lower()


def fill_search_fields(version) -> None:
    """Set pinyin_initials and search_text on `version` (does not save)."""
    version.pinyin_initials = pinyin_initials(version.name)[:200]
    version.search_text = build_search_text(version)


def normalise_query(query: str) -> str:
    return " ".join((query or "").split()).lower()[:100]
