"""Reads of the catalogue: the public catalogue and guides, the items a hall may receive, bundles,
and the staff lists already scoped to the caller. Each runs a fixed number of queries."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hall.models import Department, Hall, Region
from hall.workdays import add_working_days

from .constants import (
    CATALOGUE_REVIEW_WORKING_DAYS,
    FILE_WITHIN_WORKING_DAYS,
    LEGAL_REVIEW_WORKING_DAYS,
    Audience,
    CrossAreaScope,
    ServiceObject,
    VersionState,
)
from .models import Bundle, Item, ItemChange, ItemVersion, LifeEvent, Material, Theme
from .permissions import editable_department_ids, review_region_ids
from .search import normalise_query
from .validators import normalise_material_name

AUDIENCE_OBJECT = {Audience.PERSON: ServiceObject.PERSON, Audience.ENTERPRISE: ServiceObject.ENTERPRISE}


def published_items() -> QuerySet[Item]:
    """Items citizens can apply for now: those with a current published version."""
    return Item.objects.filter(current_version__isnull=False).select_related(
        "current_version", "department", "region", "base_item"
    )


@dataclass
class CatalogueFilters:
    """The public catalogue's filters, parsed from the query string; bad values are ignored."""

    q: str = ""
    department: int | None = None
    region: int | None = None
    theme: int | None = None
    life_event: int | None = None
    audience: str = ""
    scope: str = ""
    online: bool = False
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, params) -> "CatalogueFilters":
        filters = cls(q=normalise_query(params.get("q", "")))
        for name in ("department", "region", "theme", "life_event"):
            raw = (params.get(name) or "").strip()
            if raw:
                if raw.isdigit() and len(raw) < 10:
                    setattr(filters, name, int(raw))
                else:
                    filters.errors.append(_("筛选条件有误，已忽略。"))
        audience = params.get("audience", "")
        filters.audience = audience if audience in Audience.values else ""
        scope = params.get("scope", "")
        filters.scope = scope if scope in CrossAreaScope.values else ""
        filters.online = params.get("online") == "1"
        return filters

    def cache_parts(self) -> tuple:
        return (self.q, self.department, self.region, self.theme, self.life_event, self.audience, self.scope) + (
            self.online,
        )


def items_matching(items: QuerySet[Item], q: str) -> QuerySet[Item]:
    """Items whose name, keywords, codes or pinyin initials hold every word of `q` (`yyzz` → 营业执照)."""
    for word in q.lower().split():
        items = items.filter(current_version__search_text__icontains=word)
    return items


def catalogue_search(filters: CatalogueFilters) -> QuerySet[Item]:
    """Published items matching every filter. Each word of `q` must occur in the name, keywords,
    codes or pinyin initials (`search_text`, lower-cased; a trigram index serves it on PostgreSQL)."""
    items = items_matching(published_items(), filters.q)
    if filters.department:
        items = items.filter(department_id=filters.department)
    if filters.region:
        items = items.filter(region_id=filters.region)
    if filters.theme:
        items = items.filter(current_version__themes__id=filters.theme)
    if filters.life_event:
        items = items.filter(current_version__life_events__id=filters.life_event)
    if filters.audience:
        items = items.filter(current_version__service_objects__contains=AUDIENCE_OBJECT[filters.audience])
    if filters.scope:
        items = items.filter(current_version__cross_area_scope=filters.scope)
    if filters.online:
        items = items.filter(current_version__online_application=True)
    return items.order_by("region__code", "department__name", "current_version__name")


def catalogue_facets() -> dict:
    """The choices offered by the filter panel (four queries whatever the catalogue size)."""
    live = Q(items__current_version__isnull=False)
    return {
        "departments": list(Department.objects.filter(live).distinct().select_related("region")),
        "regions": list(Region.objects.filter(live).distinct()),
        "themes": list(Theme.objects.all()),
        "life_events": list(LifeEvent.objects.all()),
    }


def _guide_prefetches() -> list:
    return [
        Prefetch("materials", queryset=Material.objects.order_by("order", "id")),
        "steps",
        "themes",
        "life_events",
        Prefetch("receivable_halls", queryset=Hall.objects.select_related("region")),
    ]


def version_for_guide(pk: int) -> ItemVersion:
    """One version with all it shows (raises ItemVersion.DoesNotExist)."""
    return (
        ItemVersion.objects.select_related("item__base_item", "item__department", "item__region", "department")
        .prefetch_related(*_guide_prefetches())
        .get(pk=pk)
    )


def item_for_guide(pk: int) -> Item:
    """A published item with its current version loaded for the guide (raises Item.DoesNotExist)."""
    item = published_items().get(pk=pk)
    item.current_version = version_for_guide(item.current_version_id)
    return item


def items_receivable_at(hall: Hall) -> QuerySet[Item]:
    """The items a window of `hall` may receive: those whose current version lists the hall."""
    return published_items().filter(current_version__receivable_halls=hall).order_by("current_version__name")


# ---------------------------------------------------------------- bundles


def published_bundles() -> QuerySet[Bundle]:
    return Bundle.objects.filter(is_published=True).select_related("region", "life_event")


@dataclass
class CombinedMaterial:
    """One line of a bundle's combined material list: asked once for every item needing it."""

    name: str
    materials: list = field(default_factory=list)
    item_names: list = field(default_factory=list)

    @property
    def mandatory(self) -> bool:
        return any(m.mandatory for m in self.materials)

    @property
    def deferrable(self) -> bool:
        return all(m.deferrable for m in self.materials)

    @property
    def blank_form(self):
        return next((m for m in self.materials if m.blank_form), None)

    @property
    def original_copies(self) -> int:
        return max(m.original_copies for m in self.materials)

    @property
    def copy_copies(self) -> int:
        return max(m.copy_copies for m in self.materials)


def bundle_with_items(pk: int) -> tuple[Bundle, list[Item]]:
    bundle = published_bundles().get(pk=pk)
    items = list(
        published_items()
        .filter(bundles=bundle)
        .prefetch_related(
            Prefetch("current_version__materials", queryset=Material.objects.order_by("order", "id")),
            "current_version__steps",
        )
        .order_by("current_version__name")
    )
    return bundle, items


def bundle_combined_materials(items: list[Item]) -> list[CombinedMaterial]:
    """Every material of the bundle's items, once per normalised name, in first-seen order."""
    combined: dict[str, CombinedMaterial] = {}
    for item in items:
        for material in item.current_version.materials.all():
            key = normalise_material_name(material.name)
            line = combined.setdefault(key, CombinedMaterial(name=material.name))
            line.materials.append(material)
            if item.current_version.name not in line.item_names:
                line.item_names.append(item.current_version.name)
    return list(combined.values())


# ---------------------------------------------------------------- staff


def _visible_to(user, prefix: str = "") -> Q:
    """Items a catalogue admin sees: their departments' (to edit) and their region's (to review)."""
    return Q(**{f"{prefix}department_id__in": editable_department_ids(user)}) | Q(
        **{f"{prefix}region_id__in": review_region_ids(user)}
    )


def items_for_editor(user) -> QuerySet[Item]:
    """The items of the departments this catalogue admin edits, published or not."""
    return (
        Item.objects.filter(department_id__in=editable_department_ids(user))
        .select_related("current_version", "department", "region", "base_item")
        .order_by("implementation_code")
    )


def open_changes_for_user(user) -> QuerySet[ItemChange]:
    """Changes still under way that this user may act on: their departments' drafts and every
    review in their region."""
    return (
        ItemChange.objects.filter(
            version__state__in=[VersionState.DRAFT, VersionState.LEGAL_REVIEW, VersionState.CATALOGUE_REVIEW]
        )
        .filter(_visible_to(user, "item__"))
        .select_related("item", "version", "filed_by", "submitted_by", "legal_reviewer", "target_department")
        .order_by("filed_at")
    )


def recent_changes_for_user(user, limit: int = 20) -> QuerySet[ItemChange]:
    return (
        ItemChange.objects.filter(version__state__in=[VersionState.PUBLISHED, VersionState.SUPERSEDED])
        .filter(_visible_to(user, "item__"))
        .select_related("item", "version", "filed_by", "legal_reviewer", "catalogue_reviewer")
        .order_by("-published_at")[:limit]
    )


def change_for_user(user, pk: int) -> ItemChange:
    """A change the user may see (raises ItemChange.DoesNotExist otherwise)."""
    return (
        ItemChange.objects.filter(_visible_to(user, "item__"))
        .select_related(
            "item__base_item",
            "item__department",
            "item__region",
            "version",
            "filed_by",
            "submitted_by",
            "legal_reviewer",
            "catalogue_reviewer",
            "target_department",
        )
        .prefetch_related("events__actor")
        .get(pk=pk)
    )


def item_versions_for_user(user, item_pk: int) -> tuple[Item, list[ItemVersion]]:
    item = Item.objects.filter(_visible_to(user)).get(pk=item_pk)
    return item, list(item.versions.select_related("change").order_by("-number"))


# ---------------------------------------------------------------- change limits


@dataclass
class Deadline:
    """One working-day limit of a change (seed 003), as shown to the people doing it."""

    label: str
    limit_days: int
    started: datetime.date | None
    due: datetime.date | None
    done: datetime.date | None

    @property
    def overdue(self) -> bool:
        if self.due is None:
            return False
        return (self.done or timezone.localdate()) > self.due

    @property
    def status(self) -> str:
        if self.due is None:
            return _("未开始")
        if self.done:
            return _("逾期完成") if self.overdue else _("按时完成")
        return _("已逾期") if self.overdue else _("办理中")


def change_deadlines(change: ItemChange) -> list[Deadline]:
    """Filed within 10 working days of the cause, legal review within 5 of submission, catalogue
    review within 5 of the legal review (start day not counted)."""

    def local(moment):
        return timezone.localdate(moment) if moment else None

    submitted, legal, catalogue = (
        local(change.submitted_at),
        local(change.legal_reviewed_at),
        local(change.catalogue_reviewed_at),
    )
    rows = [
        (_("提交调整"), FILE_WITHIN_WORKING_DAYS, change.cause_date, submitted),
        (_("合法性审查"), LEGAL_REVIEW_WORKING_DAYS, submitted, legal),
        (_("目录审核"), CATALOGUE_REVIEW_WORKING_DAYS, legal, catalogue),
    ]
    return [
        Deadline(label, days, start, add_working_days(start, days) if start else None, done)
        for label, days, start, done in rows
    ]
