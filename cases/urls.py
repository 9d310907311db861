from django.urls import path

from .views import verify

app_name = "cases"

urlpatterns = [
    path("verify/<str:token>/", verify.document_verify, name="verify"),
]
