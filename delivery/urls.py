"""URLs of the delivery app, included at the site root by hall/urls.py."""

from django.urls import path

from .views import archive, citizen, window

app_name = "delivery"

urlpatterns = [
    # The result window
    path("results/", window.workbench, name="workbench"),
    path("results/handovers/<int:pk>/receive/", window.receive, name="receive"),
    path("results/orders/<int:pk>/", window.order, name="order"),
    path("results/orders/<int:pk>/pickup/", window.pickup, name="pickup"),
    path("results/orders/<int:pk>/post/", window.post, name="post"),
    path("results/orders/<int:pk>/outcome/", window.post_outcome, name="post_outcome"),
    path("results/cases/<int:pk>/archive/", window.archive, name="archive_case"),
    # The back office
    path("results/production/", window.production, name="production"),
    path("results/cases/<int:pk>/produce/", window.produce, name="produce"),
    path("results/handover/", window.handover, name="handover"),
    # The applicant and the public
    path("cases/<int:pk>/delivery/", citizen.choose, name="choose"),
    path("cases/<int:pk>/result/download/", citizen.electronic_download, name="electronic_download"),
    path("certificates/", citizen.my_certificates, name="my_certificates"),
    path("certificates/verify/", citizen.certificate_verify, name="certificate_verify"),
    # The archive office
    path("archive/", archive.archive_list, name="archive"),
    path("archive/export/", archive.archive_export, name="archive_export"),
    path("archive/<int:pk>/download/", archive.package_download, name="package_download"),
    path("archive/<int:pk>/check/", archive.package_check, name="package_check"),
]
