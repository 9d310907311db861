"""{% floor_figures_for user as figures %}: the hall floor's figures of today for a supervisor's halls
(used by the supervisor's page, which belongs to cases and knows nothing of the floor)."""

from django import template

from ..floor.selectors import figures_for_supervisor

register = template.Library()


@register.simple_tag
def floor_figures_for(user):
    return figures_for_supervisor(user)


@register.simple_tag
def floor_nav_links(user, assignments) -> list[tuple[str, str]]:
    """Navbar links of the hall floor: the window desk for window staff, the opening hours for a
    hall's system admin, "my bookings" for citizens."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from ..constants import StaffRole
    from ..floor.tickets import FLOOR_STAFF_ROLES

    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_citizen:
        return [(_("我的预约"), reverse("floor:bookings"))]
    links = []
    if any(a.role in FLOOR_STAFF_ROLES for a in assignments):
        links.append((_("窗口叫号"), reverse("floor:desk")))
    for a in assignments:
        if a.role == StaffRole.SYSTEM_ADMIN:
            links.append((_("%(hall)s开放时间") % {"hall": a.hall.name}, reverse("floor:hours", args=[a.hall.code])))
    return links
