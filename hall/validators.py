"""Checks for the identifiers of DOMAIN.md §6: ID number (GB 11643), unified social credit code
(GB 32100), region code (GB/T 2260) and mainland mobile numbers. Each raises ValidationError with
a message in plain words."""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK_CHARS = "10X98765432"
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
# ASCII digits only: Python's \d also matches full-width and Arabic-Indic digits, which no registry,
# gateway or check-digit table knows.
MOBILE_RE = re.compile(r"[1][3-9][0-9]{9}", re.ASCII)
ID_NUMBER_RE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
# Characters that show as nothing (or as a space) but make two identifiers differ: zero-width space,
# joiners, word joiner, byte-order mark, soft hyphen, Mongolian vowel separator.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")


def normalise_identifier(value) -> str:
    """The one normalisation of an ID number, credit code or mobile typed anywhere (forms, counter,
    search, login, import): NFKC (full-width １２３ → 123, ｘ → x), every kind of whitespace and invisible
    character removed, letters upper-cased (a check character is an upper-case X). Digits of other scripts
    are left as they are, so that the ASCII-only checks that follow refuse them."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    kept = [
        ch for ch in text if not (ch.isspace() or ch in INVISIBLE or unicodedata.category(ch) in ("Cf", "Cc", "Zs"))
    ]
    return "".join(kept).upper()


def normalize_id_number(value: str) -> str:
    """Kept for callers written before normalise_identifier; the same normalisation."""
    return normalise_identifier(value)


def id_number_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def validate_id_number(value: str) -> None:
    value = normalise_identifier(value)
    if not ID_NUMBER_RE.fullmatch(value):
        raise ValidationError(_("身份证号应为18位：前17位是数字，最后一位是数字或X。"), code="id_format")
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期不存在，请核对。"), code="id_birth") from None
    # A birth date only has to exist and not lie in the future: centenarians hold ID numbers too.
    if birth > datetime.date.today():
        raise ValidationError(_("身份证号中的出生日期晚于今天，请核对。"), code="id_birth")
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对是否输错。"), code="id_check")


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    value = normalise_identifier(value)
    if len(value) != 18 or any(c not in CREDIT_ALPHABET for c in value):
        raise ValidationError(
            _("统一社会信用代码应为18位，由数字和大写字母组成（不含 I、O、S、V、Z）。"), code="credit_format"
        )
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对是否输错。"), code="credit_check")


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.fullmatch(normalise_identifier(value)):
        raise ValidationError(_("手机号应为11位中国大陆手机号码，以1开头，第二位为3到9。"), code="mobile")


def validate_region_code(value: str) -> None:
    if not re.fullmatch(r"[0-9]{6}", value or "", re.ASCII):
        raise ValidationError(_("行政区划代码应为6位数字（GB/T 2260）。"), code="region_code")


def mask_id_number(value: str) -> str:
    """110105194912310021 → 110105********0021-style: keep the area code and the last four."""
    value = value or ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_mobile(value: str) -> str:
    value = value or ""
    return value[:3] + "****" + value[-4:] if len(value) == 11 else value


# ---- typed dates ------------------------------------------------------------------------------
# Every date a person types is bounded to its field before any code adds days to it or walks the
# working-day calendar from it: 9999-12-31 would overflow, 0001-01-01 would walk two thousand years.
# The earliest date any record of the portal can refer to: the founding of the People's Republic.
EARLIEST_RECORD_DATE = datetime.date(1949, 10, 1)


def validate_date_between(
    value: datetime.date | None, *, label, earliest: datetime.date | None = None, latest: datetime.date | None = None
) -> None:
    """Raise a plain-words ValidationError naming the field when `value` lies outside earliest..latest
    (both included; either may be left open)."""
    if value is None:
        return
    if earliest is not None and value < earliest:
        raise ValidationError(
            _("%(label)s不能早于 %(earliest)s。"),
            code="date_too_early",
            params={"label": label, "earliest": earliest.isoformat()},
        )
    if latest is not None and value > latest:
        raise ValidationError(
            _("%(label)s不能晚于 %(latest)s。"),
            code="date_too_late",
            params={"label": label, "latest": latest.isoformat()},
        )
