from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..constants import StaffRole
from ..pagecache import anonymous_page
from ..selectors import assignments_for_user, primary_role

LARGE_TEXT_COOKIE = "tb_large_text"

# The landing page of each role. Apps that build a role's real workbench point its entry at their
# own URL name; hall never imports them.
ROLE_HOME = {
    StaffRole.WINDOW_CLERK: "cases:clerk_workbench",
    StaffRole.APPROVER: "cases:approver_workbench",
    StaffRole.RESULT_CLERK: "delivery:workbench",
    StaffRole.ARCHIVIST: "delivery:archive",
    StaffRole.SUPERVISOR: "cases:supervision",
    StaffRole.AGENCY_HEAD: "cases:extensions",
    StaffRole.CATALOGUE_ADMIN: "items:workbench",
    StaffRole.SYSTEM_ADMIN: "workbench_role",
}


def healthz(request):
    """A minimal view: liveness checks, and the baseline that bench/ compares pages against."""
    return HttpResponse("ok", content_type="text/plain")


def role_home_url(role: str) -> str:
    """The URL of a role's own workbench (ROLE_HOME), or the generic role page."""
    name = ROLE_HOME.get(role, "workbench_role")
    return reverse(name, kwargs={"role": role}) if name == "workbench_role" else reverse(name)


@anonymous_page("home")
def home(request):
    return render(request, "hall/home.html")


@login_required
def workbench(request):
    """Send each user to their own workbench: citizens to their cases, staff to their role's page."""
    role = primary_role(request.user)
    if role is None:
        return render(request, "hall/citizen_home.html")
    return redirect(role_home_url(role))


@login_required
def workbench_role(request, role: str):
    assignments = [a for a in assignments_for_user(request.user) if a.role == role]
    if role not in StaffRole.values:
        raise Http404
    if not assignments:
        raise Http404
    return render(
        request,
        "hall/workbench.html",
        {"role": role, "role_label": StaffRole(role).label, "assignments": assignments},
    )


@require_POST
def toggle_large_text(request):
    """适老化: a large-text mode that persists in a cookie for a year, logged in or not."""
    target = request.POST.get("next") or "/"
    # Only a printable path of this site: anything else (a bare word, a control character) goes home.
    if (
        not target.startswith("/")
        or not target.isprintable()
        or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.COOKIES.get(LARGE_TEXT_COOKIE) == "1":
        response.delete_cookie(LARGE_TEXT_COOKIE)
    else:
        response.set_cookie(LARGE_TEXT_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax")
    return response
