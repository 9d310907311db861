from .notices import navbar_context
from .selectors import staff_assignments


def portal(request):
    """What base.html's navbar shows ({% site_navbar %}): the user's assignments and unread count, both
    from the shared cache (hall/usercache.py)."""
    user = getattr(request, "user", None)
    assignments = staff_assignments(user)
    return {
        "large_text": request.COOKIES.get("tb_large_text") == "1",
        "my_assignments": assignments,
        **navbar_context(user, assignments),
    }
