from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import auth, portal

urlpatterns = [
    path("", portal.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", auth.register, name="register"),
    path("register/enterprise/", auth.register, {"kind": "enterprise"}, name="register_enterprise"),
    path("workbench/", portal.workbench, name="workbench"),
    path("workbench/<str:role>/", portal.workbench_role, name="workbench_role"),
    path("large-text/", portal.toggle_large_text, name="toggle_large_text"),
    path("inbox/", include("hall.views.inbox")),
    path("security/", include("hall.security.urls")),
    path("floor/", include("hall.floor.urls")),
    path("", include("cases.urls")),
    path("items/", include("items.urls")),
    path("", include("delivery.urls")),
    path("ratings/", include("evaluation.urls")),
    path("healthz/", portal.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
