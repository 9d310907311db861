"""Public progress lookup (办件进度查询): the case number and the applicant's mobile show the state and
the steps so far, nothing personal. Rate-limited per address, and the same answer whether the number
or the mobile is wrong, so that the page cannot be used to find out which numbers exist."""

from django.shortcuts import render
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_http_methods

from hall.pagecache import anonymous_page
from hall.ratelimit import over_limit

from ..forms import ProgressLookupForm
from ..models import Case
from ..selectors import progress_lookup

LOOKUP_LIMIT = 10
LOOKUP_WINDOW_SECONDS = 600
NOT_FOUND = gettext_noop("没有找到对应的办件，请核对办件编号和申请人手机号。")
TOO_MANY = gettext_noop("查询次数过多，请10分钟后再试。")


def _steps(case: Case) -> list[dict]:
    """The state changes only: what happened and when, never who, why, or any note."""
    events = case.events.exclude(to_state="").exclude(from_state="").order_by("created_at", "pk")
    return [{"label": event.get_kind_display(), "at": event.created_at} for event in events]


@require_http_methods(["GET", "POST"])
@anonymous_page("progress")
def progress(request):
    form = ProgressLookupForm(request.POST if request.method == "POST" else None)
    context = {"form": form}
    if request.method == "POST":
        if over_limit(request, "progress", limit=LOOKUP_LIMIT, window_seconds=LOOKUP_WINDOW_SECONDS):
            context["refusal"] = gettext(TOO_MANY)
            return render(request, "cases/progress.html", context, status=429)
        if form.is_valid():
            case = progress_lookup(form.cleaned_data["number"], form.cleaned_data["mobile"])
            if case is None:
                context["refusal"] = gettext(NOT_FOUND)
            else:
                context.update({"found": case, "steps": _steps(case)})
    return render(request, "cases/progress.html", context)
