"""Admin for cases: everything is read-only here. Cases change through the services (the state
machine, the audit trail and the notices go together); events and documents never change."""

from django.contrib import admin

from hall.admin import BlindIndexSearchMixin

from .models import Case, CaseEvent, Document, NumberCounter, SubmittedMaterial


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ["created_at", "kind", "actor_name", "role", "hall", "from_state", "to_state", "ip", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(BlindIndexSearchMixin, ReadOnlyAdmin):
    list_display = ["number", "state", "applicant_name", "item_version", "receiving_hall", "received_at", "next_due"]
    list_filter = ["state", "warning_level", "channel", "receiving_hall"]
    search_fields = ["number", "applicant_name"]
    blind_index_search = ("applicant__id_number_index", "applicant__mobile_index")
    list_select_related = ["item_version", "receiving_hall"]
    date_hierarchy = "created_at"
    inlines = [CaseEventInline]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "case", "kind", "actor_name", "role", "hall", "from_state", "to_state", "ip"]
    list_filter = ["kind", "role"]
    search_fields = ["case__number", "actor_name", "note"]
    list_select_related = ["case", "hall"]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "case", "issued_on", "issuer_name", "sha256"]
    list_filter = ["kind"]
    search_fields = ["number", "case__number"]
    list_select_related = ["case"]


@admin.register(SubmittedMaterial)
class SubmittedMaterialAdmin(ReadOnlyAdmin):
    list_display = ["case", "material", "original_name", "size", "originals_seen", "superseded", "uploaded_at"]
    search_fields = ["case__number", "original_name"]
    list_select_related = ["case", "material"]


@admin.register(NumberCounter)
class NumberCounterAdmin(ReadOnlyAdmin):
    list_display = ["key", "value"]
    search_fields = ["key"]
