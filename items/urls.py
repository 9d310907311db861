from django.urls import path

from .views import booking, io, public, staff, standardisation

app_name = "items"

urlpatterns = [
    # Public catalogue
    path("", public.catalogue, name="catalogue"),
    path("<int:pk>/", public.guide, name="guide"),
    path("<int:pk>/guide.pdf", public.guide_pdf, name="guide_pdf"),
    path("<int:pk>/book/", booking.book, name="book"),
    path("versions/<int:pk>/", public.version_detail, name="version"),
    path("versions/<int:pk>/result-sample/", public.result_sample, name="result_sample"),
    path("materials/<int:pk>/<str:kind>/", public.material_file, name="material_file"),
    path("bundles/", public.bundle_list, name="bundles"),
    path("bundles/<int:pk>/", public.bundle_detail, name="bundle"),
    # Catalogue admins
    path("manage/", staff.workbench, name="workbench"),
    path("manage/new/", staff.item_new, name="item_new"),
    path("manage/items/<int:pk>/", staff.item_manage, name="item_manage"),
    path("manage/items/<int:pk>/change/", staff.change_new, name="change_new"),
    path("manage/items/<int:pk>/compare/", staff.compare, name="compare"),
    path("manage/changes/<int:pk>/", staff.change_detail, name="change"),
    path("manage/changes/<int:pk>/edit/", staff.change_edit, name="change_edit"),
    path("manage/changes/<int:pk>/submit/", staff.change_submit, name="change_submit"),
    path("manage/changes/<int:pk>/legal-review/", staff.change_legal_approve, name="change_legal_approve"),
    path("manage/changes/<int:pk>/catalogue-review/", staff.change_catalogue_approve, name="change_catalogue_approve"),
    path("manage/changes/<int:pk>/return/", staff.change_return, name="change_return"),
    path("manage/changes/<int:pk>/discard/", staff.change_discard, name="change_discard"),
]
urlpatterns += [
    # Import / export and the standardisation report (engineer A2)
    path("manage/io/", io.io_page, name="io"),
    path("manage/io/import/", io.io_import, name="io_import"),
    path("manage/io/export/<str:fmt>/", io.io_export, name="io_export"),
    path("manage/standardisation/", standardisation.standardisation, name="standardisation"),
    path("manage/standardisation/<str:base_code>/", standardisation.standardisation, name="standardisation_item"),
    path(
        "manage/standardisation/<str:base_code>/adopt/<int:item_pk>/",
        standardisation.standardisation_adopt_view,
        name="standardisation_adopt",
    ),
]
