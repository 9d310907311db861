"""Django admin for the catalogue. Versions, changes and their log are read-only here: a guide
changes only through the reviewed workflow of the staff pages, so a published row never changes."""

from django.contrib import admin

from .cache import catalogue_cache_clear
from .models import (
    BaseItem,
    Bundle,
    ChangeEvent,
    Item,
    ItemChange,
    ItemVersion,
    LifeEvent,
    Material,
    ProcessStep,
    Theme,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BaseItem)
class BaseItemAdmin(admin.ModelAdmin):
    list_display = ["base_code", "name", "item_type"]
    list_filter = ["item_type"]
    search_fields = ["base_code", "name"]


@admin.register(Theme, LifeEvent)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "audience", "order"]
    list_filter = ["audience"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["implementation_code", "base_item", "region", "department", "current_version", "cancelled_on"]
    list_filter = ["region"]
    search_fields = ["implementation_code", "base_item__name", "current_version__name"]
    list_select_related = ["base_item", "region", "department", "current_version"]


class MaterialInline(admin.TabularInline):
    model = Material
    fields = ["order", "name", "mandatory", "deferrable", "source_channel", "basis"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StepInline(MaterialInline):
    model = ProcessStep
    fields = ["order", "name", "handler", "time_limit"]


@admin.register(ItemVersion)
class ItemVersionAdmin(ReadOnlyAdmin):
    list_display = ["name", "item", "number", "state", "promised_days", "statutory_days", "published_at"]
    list_filter = ["state", "case_kind", "cross_area_scope"]
    search_fields = ["name", "item__implementation_code"]
    list_select_related = ["item__base_item", "item__current_version"]
    inlines = [MaterialInline, StepInline]


class ChangeEventInline(admin.TabularInline):
    model = ChangeEvent
    fields = ["at", "actor", "action", "from_state", "to_state", "note"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ItemChange)
class ItemChangeAdmin(ReadOnlyAdmin):
    list_display = ["version", "kind", "cause", "filed_by", "legal_reviewer", "catalogue_reviewer", "published_at"]
    list_filter = ["kind", "cause"]
    list_select_related = ["version", "filed_by", "legal_reviewer", "catalogue_reviewer"]
    inlines = [ChangeEventInline]


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "life_event", "is_published"]
    list_filter = ["region", "is_published"]
    filter_horizontal = ["items"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        catalogue_cache_clear()  # the bundle pages are cached
