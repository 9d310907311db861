from .notices import navbar_context
from .selectors import staff_assignments


def portal(request):
    user = getattr(request, "user", None)
    assignments = staff_assignments(user)
    return {
        "large_text": request.COOKIES.get("tb_large_text") == "1",
        "my_assignments": assignments,
        "my_role_links": _role_links(assignments),
        **navbar_context(user, assignments),
    }


def _role_links(assignments) -> list[tuple[str, str]]:
    """One navbar link per role the user holds, to that role's own workbench."""
    from .views.portal import role_home_url

    links, seen = [], set()
    for assignment in assignments:
        if assignment.role not in seen:
            seen.add(assignment.role)
            links.append((assignment.get_role_display(), role_home_url(assignment.role)))
    return links
