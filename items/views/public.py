"""Public catalogue pages: browse and search, service guides (web and PDF), downloads, bundles.

The catalogue, guide and bundle bodies are rendered once and cached (items/cache.py); the page around
them (navigation, the user's name) is rendered per request, except for anonymous visitors, who get the
whole page from the page cache (hall/pagecache.py). Publishing clears both (the catalogue's generation)."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from hall.pagecache import anonymous_page
from hall.pdf import absolute_url, qr_data_uri, render_pdf

from ..cache import CATALOGUE_PAGES, TIMEOUT_SECONDS, cached_fragment
from ..constants import Audience, CrossAreaMode, CrossAreaScope
from ..models import Bundle, Item, ItemVersion, Material
from ..permissions import can_read_version
from ..selectors import (
    CatalogueFilters,
    bundle_combined_materials,
    bundle_with_items,
    catalogue_facets,
    catalogue_search,
    item_for_guide,
    published_bundles,
    version_for_guide,
)

PAGE_SIZE = 20


def public_page(kind: str):
    """A public catalogue page, served whole to anonymous visitors until the catalogue changes."""
    return anonymous_page(kind, seconds=TIMEOUT_SECONDS, generation_of=CATALOGUE_PAGES)


@require_GET
@public_page("catalogue")
def catalogue(request):
    filters = CatalogueFilters.from_query(request.GET)
    page_number = request.GET.get("page", "1")
    page_number = int(page_number) if page_number.isdigit() and len(page_number) < 6 else 1

    def render_body() -> str:
        items = catalogue_search(filters)
        page = Paginator(items, PAGE_SIZE).get_page(page_number)
        context = {
            "filters": filters,
            "page": page,
            "facets": cached_fragment("facets", (), catalogue_facets),
            "audiences": Audience.choices,
            "scopes": [c for c in CrossAreaScope.choices if c[0] != CrossAreaScope.NONE],
            "querystring": _querystring_without_page(request),
        }
        return render_to_string("items/_catalogue_body.html", context)

    body = cached_fragment("catalogue", (*filters.cache_parts(), page_number), render_body)
    return render(request, "items/catalogue.html", {"body": body, "filters": filters})


def _querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def apply_url(item: Item) -> str:
    """The online application page of the cases app, when it exists."""
    try:
        return reverse("cases:apply", args=[item.pk])
    except NoReverseMatch:
        return ""


def _bundle_apply_url(bundle) -> str:
    try:
        return reverse("cases:apply_bundle", args=[bundle.pk])
    except NoReverseMatch:
        return ""


@require_GET
@public_page("guide")
def guide(request, pk: int):
    """The service guide of an item's current version."""

    def render_body() -> str:
        try:
            item = item_for_guide(pk)
        except Item.DoesNotExist:
            return ""
        return render_to_string("items/_guide_body.html", _guide_context(item.current_version, item=item))

    body = cached_fragment("guide", (pk,), render_body)
    if not body:
        raise Http404(_("没有找到这个事项，它可能已经取消或尚未发布。"))
    return render(request, "items/guide.html", {"body": body, "pk": pk})


def _guide_context(version: ItemVersion, *, item: Item) -> dict:
    path = reverse("items:guide", args=[item.pk])
    url = absolute_url(path)
    halls = list(version.receivable_halls.all())
    for hall in halls:  # each hall's own way of handling it (代为受理 / 代收转交), per ItemVersion.hall_modes
        mode = version.mode_for(hall)
        hall.mode_label = CrossAreaMode(mode).label if mode else ""
    return {
        "item": item,
        "version": version,
        "department": version.implementing_department,
        "materials": list(version.materials.all()),
        "steps": list(version.steps.all()),
        "halls": halls,
        "faq": [block.strip() for block in version.faq.split("\n\n") if block.strip()],
        "apply_url": apply_url(item) if version.online_application and item.current_version_id == version.pk else "",
        "guide_url": url,
        "qr_data_uri": qr_data_uri(url),
        "is_current": item.current_version_id == version.pk,
    }


@require_GET
def version_detail(request, pk: int):
    """Any version that was ever published (superseded ones stay readable); drafts for staff."""
    try:
        version = version_for_guide(pk)
    except ItemVersion.DoesNotExist:
        raise Http404(_("没有找到这个版本。")) from None
    if not can_read_version(request.user, version):
        raise Http404(_("没有找到这个版本。"))
    body = render_to_string("items/_guide_body.html", _guide_context(version, item=version.item))
    return render(request, "items/guide.html", {"body": body, "pk": version.item_id, "version": version})


@require_GET
def guide_pdf(request, pk: int):
    """The printable guide (WeasyPrint), cached like the page."""

    def render_document() -> bytes:
        try:
            item = item_for_guide(pk)
        except Item.DoesNotExist:
            return b""
        context = _guide_context(item.current_version, item=item)
        context.update(
            title=f"{item.current_version.name}办事指南",
            issuer=str(context["department"]),
            verify_url=context["guide_url"],
            # Drawn by the guide itself with its own caption: pdf/base.html's says 扫码核验 (verify).
            guide_qr=context.pop("qr_data_uri"),
        )
        return render_pdf("items/pdf/guide.html", context)

    content = cached_fragment("guide-pdf", (pk,), render_document)
    if not content:
        raise Http404(_("没有找到这个事项，它可能已经取消或尚未发布。"))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="guide-{pk}.pdf"'
    return response


@require_GET
def material_file(request, pk: int, kind: str):
    """Download a material's blank form or sample, from a version citizens may read."""
    if kind not in ("blank_form", "sample"):
        raise Http404
    material = Material.objects.select_related("version__item").filter(pk=pk).first()
    if material is None or not can_read_version(request.user, material.version):
        raise Http404(_("没有找到这份材料。"))
    file = getattr(material, kind)
    if not file:
        raise Http404(_("这份材料没有提供表格或样表。"))
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件暂时无法下载，请联系窗口。")) from None
    label = "空白表格" if kind == "blank_form" else "示例样表"
    suffix = file.name.rsplit(".", 1)[-1] if "." in file.name else "pdf"
    return FileResponse(handle, as_attachment=True, filename=f"{material.name}（{label}）.{suffix}")


@require_GET
@public_page("bundles")
def bundle_list(request):
    bundles = list(published_bundles().prefetch_related("items__current_version"))
    return render(request, "items/bundle_list.html", {"bundles": bundles})


@require_GET
@public_page("bundle")
def bundle_detail(request, pk: int):
    def render_body() -> str:
        try:
            bundle, items = bundle_with_items(pk)
        except Bundle.DoesNotExist:
            return ""
        combined = bundle_combined_materials(items)
        asked = sum(len(line.materials) for line in combined)
        return render_to_string(
            "items/_bundle_body.html",
            {
                "bundle": bundle,
                "items": items,
                "combined": combined,
                "saved": asked - len(combined),
                "promised_days": max((i.current_version.promised_days for i in items), default=0),
                "apply_url": _bundle_apply_url(bundle),
            },
        )

    body = cached_fragment("bundle", (pk,), render_body)
    if not body:
        raise Http404(_("没有找到这件“一件事”。"))
    return render(request, "items/bundle.html", {"body": body})


@require_GET
def result_sample(request, pk: int):
    """Download the sample of a version's result (证照样本)."""
    version = ItemVersion.objects.select_related("item").filter(pk=pk).first()
    if version is None or not can_read_version(request.user, version):
        raise Http404(_("没有找到这个版本。"))
    if not version.result_sample:
        raise Http404(_("这个事项没有提供结果样本。"))
    try:
        handle = version.result_sample.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件暂时无法下载，请联系窗口。")) from None
    suffix = version.result_sample.name.rsplit(".", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=f"{version.result_name}（样本）.{suffix}")
