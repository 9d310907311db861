"""{% site_navbar %}: the navbar on every page (base.html), built in Python.

Its links depend only on the language, the visitor's roles (and, for a hall's system admin, the hall) and
whether they are a citizen: that markup is built once per such combination and process and kept, and only
the visitor's own parts (their name, unread count, CSRF token, the page they are on) are put in per
request. Rendered as template nodes it cost every page a few thousand function calls."""

from django import template
from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..constants import StaffRole
from ..floor.tickets import FLOOR_STAFF_ROLES
from ..pagecache import LocalCopies

register = template.Library()

# Put into the kept markup per request (plain ASCII that no escaped text can contain).
CSRF, NEXT, USER, UNREAD = "\x00csrf\x00", "\x00next\x00", "\x00user\x00", "\x00unread\x00"
# Combinations kept per process; more (a flood of renamed halls) starts afresh.
_kept = LocalCopies(entries=512)


@register.simple_tag(takes_context=True)
def site_navbar(context):
    request = context.get("request")
    user = context.get("user")
    authenticated = bool(user is not None and user.is_authenticated)
    assignments = context.get("my_assignments") or []
    large_text = bool(context.get("large_text"))
    shape = (
        get_language(),
        get_script_prefix(),
        large_text,
        authenticated,
        authenticated and user.is_citizen,
        tuple(
            (a.role, a.hall.code, a.hall.name) if a.role == StaffRole.SYSTEM_ADMIN else (a.role,) for a in assignments
        ),
    )
    markup = _kept.kept(shape, lambda: _navbar(shape, assignments))
    token = context.get("csrf_token")
    csrf = (
        format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
        if token and token != "NOTPROVIDED"
        else ""
    )
    markup = markup.replace(CSRF, csrf).replace(NEXT, escape(request.get_full_path()) if request else "")
    if authenticated:
        unread = context.get("unread_notice_count")
        badge = f' <span class="badge bg-danger" id="unread-count">{unread}</span>' if unread else ""
        markup = markup.replace(USER, conditional_escape(str(user))).replace(UNREAD, badge)
    return mark_safe(markup)  # noqa: S308 - built from escaped parts above and in _navbar


def _navbar(shape, assignments) -> str:
    _language, _prefix, large_text, authenticated, citizen, _roles = shape
    languages = "".join(
        format_html('<option value="{}"{}>{}</option>', code, " selected" if code == shape[0] else "", _(name))
        for code, name in settings.LANGUAGES
    )
    if authenticated:
        account = format_html(
            '<a class="btn btn-sm btn-light" href="{}">{}</a>\n'
            '          <a class="btn btn-sm btn-outline-light" id="nav-inbox" href="{}">{}{}</a>\n'
            '          <form method="post" action="{}" class="m-0">{}<button class="btn btn-sm btn-outline-light"'
            ' type="submit">{}</button></form>',
            reverse("workbench"),
            mark_safe(USER),
            reverse("inbox"),
            _("站内信"),
            mark_safe(UNREAD),
            reverse("logout"),
            mark_safe(CSRF),
            _("退出"),
        )
    else:
        account = format_html(
            '<a class="btn btn-sm btn-light" href="{}">{}</a>\n'
            '          <a class="btn btn-sm btn-outline-light" href="{}">{}</a>',
            reverse("login"),
            _("登录"),
            reverse("register"),
            _("注册"),
        )
    return format_html(
        '<nav class="navbar navbar-expand-md navbar-dark bg-primary">\n'
        '  <div class="container">\n'
        '    <a class="navbar-brand fw-bold" href="{home}">{brand}<span class="small fw-normal ms-2">{city}</span></a>\n'
        '    <form method="post" action="{large}" class="m-0 always-visible">{csrf}\n'
        '      <input type="hidden" name="next" value="{next}">\n'
        '      <button class="btn btn-sm btn-outline-light" type="submit" id="large-text-toggle">{size}</button>\n'
        "    </form>\n"
        '    <button class="navbar-toggler" type="button" data-bs-toggle="collapse" data-bs-target="#nav"'
        ' aria-controls="nav" aria-expanded="false" aria-label="{menu}">\n'
        '      <span class="navbar-toggler-icon"></span>\n'
        "    </button>\n"
        '    <div class="collapse navbar-collapse" id="nav">\n'
        '      <ul class="navbar-nav me-auto">\n{items}\n      </ul>\n'
        '      <div class="d-flex flex-wrap gap-2 align-items-center">\n'
        '        <form method="post" action="{set_language}" class="m-0 d-flex gap-1">{csrf}\n'
        '          <input type="hidden" name="next" value="{next}">\n'
        '          <label class="visually-hidden" for="language-select">{language}</label>\n'
        '          <select name="language" id="language-select" class="form-select form-select-sm w-auto">\n'
        "            {languages}\n"
        "          </select>\n"
        '          <button class="btn btn-sm btn-outline-light text-nowrap" type="submit">{switch}</button>\n'
        "        </form>\n"
        "          {account}\n"
        "      </div>\n"
        "    </div>\n"
        "  </div>\n"
        "</nav>",
        home=reverse("home"),
        brand=_("通办"),
        city=_("阳江市政务服务"),
        large=reverse("toggle_large_text"),
        csrf=mark_safe(CSRF),
        next=mark_safe(NEXT),
        size=_("标准字体") if large_text else _("大字版"),
        menu=_("菜单"),
        items=mark_safe(_nav_items(assignments, authenticated=authenticated, citizen=citizen)),
        set_language=reverse("set_language"),
        language=_("语言"),
        languages=mark_safe(languages),
        switch=_("切换"),
        account=account,
    )


def _link(url: str, label, nav: str = "") -> str:
    if nav:
        return format_html(
            '<li class="nav-item"><a class="nav-link" href="{}" data-nav="{}">{}</a></li>', url, nav, label
        )
    return format_html('<li class="nav-item"><a class="nav-link" href="{}">{}</a></li>', url, label)


def _nav_items(assignments, *, authenticated: bool, citizen: bool) -> str:
    """The links of each role held (once each, in the order of the assignments), then the shared ones."""
    from ..views.portal import role_home_url

    roles = list(dict.fromkeys(a.role for a in assignments))
    links = [_link(reverse("home"), _("首页"))]
    links += [_link(role_home_url(role), StaffRole(role).label) for role in roles]
    if StaffRole.WINDOW_CLERK in roles:
        links.append(_link(reverse("cases:handoff_desk"), _("通办移交"), "handoff"))
    if citizen:
        links.append(_link(reverse("floor:bookings"), _("我的预约")))
    elif authenticated:
        if any(role in FLOOR_STAFF_ROLES for role in roles):
            links.append(_link(reverse("floor:desk"), _("窗口叫号")))
        for a in assignments:
            if a.role == StaffRole.SYSTEM_ADMIN:
                label = _("%(hall)s开放时间") % {"hall": a.hall.name}
                links.append(_link(reverse("floor:hours", args=[a.hall.code]), label))
    if StaffRole.APPROVER in roles:
        links.append(_link(reverse("delivery:production"), _("制证出件"), "production"))
    for role in roles:
        if role == StaffRole.APPROVER:
            links.append(_link(reverse("cases:commitment_checks"), _("事后核查"), "commitment-checks"))
        elif role == StaffRole.AGENCY_HEAD:
            links.append(_link(reverse("cases:extensions"), _("延期审批"), "extensions"))
    if citizen:
        links.append(_link(reverse("delivery:my_certificates"), _("我的证照"), "certificates"))
    links.append(_link(reverse("evaluation:figures"), _("好差评公示")))
    if authenticated:
        if StaffRole.SUPERVISOR in roles or StaffRole.SYSTEM_ADMIN in roles:
            links.append(_link(reverse("hall_security:access_records"), _("访问记录"), "access-records"))
        if StaffRole.SYSTEM_ADMIN in roles:
            links.append(_link(reverse("hall_security:events"), _("安全事件"), "security-events"))
        links.append(_link(reverse("hall_security:account"), _("账号安全"), "account-security"))
    return "\n".join(links)
