"""The in-site inbox (站内信) of citizens and staff: list, read one, mark read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from ..notices import inbox_for_user, notice_mark_read


def _get_notice_for_user(request, pk: int):
    return get_object_or_404(inbox_for_user(request.user), pk=pk)


@login_required
def inbox(request):
    notices = inbox_for_user(request.user)
    show_unread = request.GET.get("unread") == "1"
    if show_unread:
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, 20).get_page(request.GET.get("page"))
    return render(request, "hall/inbox.html", {"page": page, "show_unread": show_unread})


@login_required
def inbox_detail(request, pk: int):
    notice = _get_notice_for_user(request, pk)
    return render(request, "hall/inbox_detail.html", {"notice": notice})


@require_POST
@login_required
def inbox_mark_read(request, pk: int):
    notice = _get_notice_for_user(request, pk)
    notice_mark_read(user=request.user, notice_ids=[notice.pk])
    return redirect("inbox_detail", pk=notice.pk)


@require_POST
@login_required
def inbox_mark_all_read(request):
    notice_mark_read(user=request.user)
    return redirect("inbox")


# Included from hall/urls.py under inbox/.
urlpatterns = [
    path("", inbox, name="inbox"),
    path("<int:pk>/", inbox_detail, name="inbox_detail"),
    path("<int:pk>/read/", inbox_mark_read, name="inbox_mark_read"),
    path("read-all/", inbox_mark_all_read, name="inbox_mark_all_read"),
]
