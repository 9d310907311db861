from .notices import navbar_context
from .selectors import assignments_for_user


def portal(request):
    user = getattr(request, "user", None)
    assignments = list(assignments_for_user(user)) if user is not None and user.is_authenticated else []
    return {
        "large_text": request.COOKIES.get("tb_large_text") == "1",
        "my_assignments": assignments,
        **navbar_context(user, assignments),
    }
