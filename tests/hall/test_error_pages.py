"""Custom error pages: plain-Chinese 400 / 403 / 404 pages on the site's layout, and a standalone 500 page
that needs neither the database nor context processors. Rendered with DEBUG off, as in production."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.template.loader import get_template
from django.urls import path

from hall.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db


def _not_found(request):
    raise Http404("no such case")


def _forbidden(request):
    raise PermissionDenied("not your hall")


def _bad(request):
    raise SuspiciousOperation("tampered")


def _boom(request):
    raise RuntimeError("boom")


# This module is its own URLconf (see @pytest.mark.urls below): views that fail on purpose, plus the site's
# URLs so that the pages' links resolve.
urlpatterns = [
    path("test-errors/404/", _not_found),
    path("test-errors/403/", _forbidden),
    path("test-errors/400/", _bad),
    path("test-errors/500/", _boom),
    *site_urlpatterns,
]

with_error_views = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def no_debug(settings):
    settings.DEBUG = False


def test_unknown_address_gets_the_chinese_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "页面不存在" in html
    assert "返回首页" in html and 'href="/"' in html
    assert "12345" in html
    assert "查询办件进度" in html
    assert 'class="navbar' in html  # on the site's layout (base.html)


@with_error_views
def test_http404_from_a_view_shows_the_page_and_not_the_reason(client, cast):
    client.force_login(cast.clerk)
    response = client.get("/test-errors/404/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert "no such case" not in html
    assert cast.clerk.username in html or str(cast.clerk) in html  # the signed-in navbar still works


@with_error_views
def test_permission_denied_gets_the_chinese_403_page(client, cast):
    client.force_login(cast.citizen)
    response = client.get("/test-errors/403/")
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "没有访问权限" in html
    assert "返回首页" in html and "12345" in html
    assert "not your hall" not in html


@with_error_views
def test_403_offers_login_to_anonymous_visitors(client):
    html = client.get("/test-errors/403/").content.decode()
    assert "没有访问权限" in html
    assert 'href="/login/"' in html


@with_error_views
def test_bad_request_gets_the_chinese_400_page(client):
    response = client.get("/test-errors/400/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "请求无法处理" in html
    assert "返回首页" in html and "12345" in html
    assert "tampered" not in html


def test_disallowed_host_400_renders_without_a_request(client):
    """Django renders 400.html without any context here (the host cannot be trusted); base.html copes."""
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode()


@with_error_views
def test_a_crashing_view_gets_the_standalone_500_page(client):
    client.raise_request_exception = False
    response = client.get("/test-errors/500/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统暂时出错" in html
    assert 'href="/"' in html and "12345" in html
    assert "boom" not in html
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html


def test_500_page_needs_no_context_no_database_and_no_inline_style(django_assert_num_queries):
    template = get_template("500.html")
    with django_assert_num_queries(0):
        html = template.render()  # how django.views.defaults.server_error renders it: no context at all
    assert "系统暂时出错" in html
    assert "{%" not in template.template.source and "extends" not in template.template.source
    assert "style=" not in html and "<style" not in html and "<script" not in html


@pytest.mark.parametrize("name", ["400.html", "403.html", "404.html", "500.html"])
def test_error_pages_have_no_inline_style_or_script(name):
    source = get_template(name).template.source
    assert "style=" not in source and "<style" not in source and "<script" not in source


@with_error_views
def test_staff_who_follow_a_link_outside_their_role_are_led_back_to_their_workbench(client, cast):
    client.force_login(cast.clerk)
    html = client.get("/test-errors/404/").content.decode()
    assert "您的账号无权查看" in html and "回到我的工作台" in html and 'href="/workbench/"' in html


@with_error_views
def test_citizens_on_a_missing_page_are_led_back_to_their_services(client, cast):
    client.force_login(cast.citizen)
    html = client.get("/test-errors/403/").content.decode()
    assert "回到我的办事" in html and "您的账号无权查看" not in html
