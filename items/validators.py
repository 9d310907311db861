"""Checks for catalogue codes and material names, each raising ValidationError in plain words."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .constants import (
    BASE_CODE_MAX,
    CATCH_ALL_MATERIAL_NAMES,
    CATCH_ALL_MATERIAL_WORDS,
    IMPLEMENTATION_CODE_MAX,
)

CODE_RE = re.compile(r"^[0-9A-Z]+$")


def validate_base_code(value: str) -> None:
    value = (value or "").strip()
    if not value or len(value) > BASE_CODE_MAX or not CODE_RE.fullmatch(value):
        raise ValidationError(f"基本编码应为1到{BASE_CODE_MAX}位的数字或大写字母，不含空格和符号。", code="base_code")


def validate_implementation_code(value: str) -> None:
    value = (value or "").strip()
    if not value or len(value) > IMPLEMENTATION_CODE_MAX or not CODE_RE.fullmatch(value):
        raise ValidationError(
            f"实施编码应为1到{IMPLEMENTATION_CODE_MAX}位的数字或大写字母，不含空格和符号。",
            code="implementation_code",
        )


def validate_business_code(value: str) -> None:
    if value and not CODE_RE.fullmatch(value):
        raise ValidationError(_("业务办理项编码只能由数字和大写字母组成。"), code="business_code")


def normalise_material_name(name: str) -> str:
    """The form in which two material names are compared: no spaces, no brackets' content
    marks, full-width punctuation folded, so 《营业执照》（副本） and 营业执照副本 match."""
    name = (name or "").strip()
    name = re.sub(r"[\s《》〈〉<>“”\"'‘’（）()【】\[\]、，,。.：:；;·]", "", name)
    return name.lower()


def is_catch_all_material_name(name: str) -> bool:
    bare = normalise_material_name(name)
    if bare in CATCH_ALL_MATERIAL_NAMES:
        return True
    return any(word in bare for word in CATCH_ALL_MATERIAL_WORDS)


def validate_material_name(value: str) -> None:
    if is_catch_all_material_name(value):
        raise ValidationError(
            _("材料名称不能使用“其他”“有关材料”“相关材料”“等材料”之类的兜底表述，请写出具体材料的名称。"),
            code="catch_all",
        )
