"""The standardisation report for catalogue admins (items/standardisation.py)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from ..standardisation import LEANEST_RULE, standardisation_base_items, standardisation_comparison


def _base_items_for_user(request):
    base_items = standardisation_base_items(request.user)
    if base_items is None:
        raise Http404("没有找到这个页面。")
    return base_items


@login_required
def standardisation(request, base_code: str = ""):
    base_items = list(_base_items_for_user(request))
    comparison = None
    if base_code:
        comparison = standardisation_comparison(request.user, base_code)
        if comparison is None:
            raise Http404("没有找到这个事项，或它不在您的管理范围内。")
    return render(
        request,
        "items/standardisation.html",
        {"base_items": base_items, "comparison": comparison, "rule": LEANEST_RULE},
    )
