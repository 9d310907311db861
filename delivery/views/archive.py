"""The archive office (档案室): packages by year, item and retention; download, verify, batch export.
Reads only: nothing here changes a package or a case."""

import csv
import io
import zipfile
from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.rows import choice_labels, url_maker
from hall.emptyforms import fields_once
from items.constants import RetentionPeriod

from .. import selectors
from ..forms import ArchiveFilterForm
from ..services import package_verify

EXPORT_LIMIT = 500


def _filters(request) -> tuple[ArchiveFilterForm, dict]:
    form = ArchiveFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, {k: data.get(k) for k in ("year", "item", "retention") if data.get(k)}


@login_required
@require_GET
def archive_list(request):
    if not selectors.archive_halls(request.user):
        raise Http404
    form, filters = _filters(request)
    page = selectors.archive_page(request.user, after=request.GET.get("after"), **filters)
    page.object_list = _package_rows(page.object_list)
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "form_fields": _filter_fields(request, form),
        "page": page,
        "query": query.urlencode(),
        "export_limit": EXPORT_LIMIT,
    }
    return render(request, "delivery/archive.html", context)


def _package_rows(rows) -> list[SimpleNamespace]:
    download_url, check_url = url_maker("delivery:package_download"), url_maker("delivery:package_check")
    retentions = choice_labels(RetentionPeriod)
    return [
        SimpleNamespace(
            number=row.case__number,
            item_name=row.item_name,
            year=row.year,
            retention=retentions.get(row.retention, row.retention),
            archived_at=row.archived_at,
            size=filesizeformat(row.size),
            download_url=download_url(row.pk),
            check_url=check_url(row.pk),
        )
        for row in rows
    ]


def _filter_fields(request, form) -> str:
    # The empty filter form is the same for every archivist and every first page: rendered once.
    return fields_once("delivery/_archive_filter_fields.html", form, request)


def _package(request, pk: int):
    package = selectors.package_for_user(request.user, pk)
    if package is None:
        raise Http404
    return package


@login_required
@require_GET
def package_download(request, pk: int):
    package = _package(request, pk)
    try:
        handle = package.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=f"{package.case.number}-归档包.zip")


@login_required
@require_GET
def package_check(request, pk: int):
    """Recompute every hash of the stored package and show what (if anything) was altered."""
    package = _package(request, pk)
    try:
        with package.file.open("rb") as handle:
            problems = package_verify(handle.read(), expected_sha256=package.sha256)
    except FileNotFoundError:
        problems = ["归档包文件不存在。"]
    return render(request, "delivery/package_check.html", {"package": package, "problems": problems})


@login_required
@require_GET
def archive_export(request):
    """Batch export (移交档案馆): the filtered packages (at most EXPORT_LIMIT) in one zip with a list.csv."""
    if not selectors.archive_halls(request.user):
        raise Http404
    _form, filters = _filters(request)
    packages = list(selectors.archive_packages(request.user, **filters).order_by("-archived_at", "-pk")[:EXPORT_LIMIT])
    listing = io.StringIO()
    writer = csv.writer(listing)
    writer.writerow(["办件编号", "事项", "归档年度", "保管期限", "归档时间", "文件", "SHA-256"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as export:
        for package in packages:
            name = f"{package.case.number}.zip"
            try:
                with package.file.open("rb") as handle:
                    export.writestr(name, handle.read())
            except FileNotFoundError:
                name = "（文件缺失）"
            writer.writerow(
                [package.case.number, package.item_name, package.year, package.get_retention_display(),
                 timezone.localtime(package.archived_at).strftime("%Y-%m-%d %H:%M"), name, package.sha256]
            )  # fmt: skip
        export.writestr("list.csv", "\ufeff" + listing.getvalue())
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="archive-{timezone.localdate():%Y%m%d}.zip"'
    return response
