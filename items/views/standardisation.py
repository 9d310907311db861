"""The standardisation report for catalogue admins (items/standardisation.py), and the button that
files a change bringing a county's item in line with the leanest county."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..permissions import editable_department_ids
from ..standardisation import (
    LEANEST_RULE,
    standardisation_adopt,
    standardisation_base_items,
    standardisation_comparison,
)


def _comparison_for_user(request, base_code: str):
    comparison = standardisation_comparison(request.user, base_code)
    if comparison is None:
        raise Http404(_("没有找到这个事项，或它不在您的管理范围内。"))
    return comparison


@login_required
def standardisation(request, base_code: str = ""):
    base_items = standardisation_base_items(request.user)
    if base_items is None:
        raise Http404(_("没有找到这个页面。"))
    comparison = _comparison_for_user(request, base_code) if base_code else None
    return render(
        request,
        "items/standardisation.html",
        {
            "base_items": list(base_items),
            "comparison": comparison,
            "rule": LEANEST_RULE,
            "editable_ids": editable_department_ids(request.user),
        },
    )


@require_POST
@login_required
def standardisation_adopt_view(request, base_code: str, item_pk: int):
    comparison = _comparison_for_user(request, base_code)
    variant = next((v for v in comparison.variants if v.item.pk == item_pk), None)
    leanest = comparison.leanest
    if variant is None or leanest is None:
        raise Http404(_("没有找到这个事项。"))
    if variant.is_leanest:
        messages.info(request, _("该县区已经是最精简的实施方式，无需统一。"))
        return redirect("items:standardisation_item", base_code=base_code)
    try:
        change = standardisation_adopt(user=request.user, item=variant.item, model=leanest.item)
    except (ValidationError, PermissionDenied) as error:
        for message in getattr(error, "messages", None) or [str(error)]:
            messages.error(request, message)
        return redirect("items:standardisation_item", base_code=base_code)
    messages.success(
        request,
        _("已按%(region)s的实施方式生成调整草稿，请检查后提交合法性审查。") % {"region": leanest.item.region.name},
    )
    return redirect("items:change_edit", pk=change.pk)
