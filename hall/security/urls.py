from django.urls import path

from . import views

app_name = "hall_security"

urlpatterns = [
    path("", views.account, name="account"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("otp/enrol/", views.otp_enrol, name="otp_enrol"),
    path("otp/recovery/", views.recovery_codes, name="recovery_codes"),
    path("recovery/renew/", views.recovery_codes_renew, name="recovery_codes_renew"),
    path("disable-otp/", views.otp_disable, name="otp_disable"),
    path("sessions/end/", views.sessions_end, name="sessions_end"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("events/", views.events, name="events"),
    path("reset-otp/", views.otp_reset_view, name="otp_reset"),
    path("access/", views.access_records, name="access_records"),
]
