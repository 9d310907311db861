"""Admin: window tablets are registered here (a new key makes the old tablet URL useless); ratings,
services and tickets are shown read-only (ratings are append-only, tickets change through services)."""

from django.contrib import admin

from .models import Rating, RatingDevice, RectificationTicket, Service


@admin.register(RatingDevice)
class RatingDeviceAdmin(admin.ModelAdmin):
    list_display = ["name", "window", "is_active", "created_at"]
    list_filter = ["is_active", "window__hall"]
    readonly_fields = ["key", "created_at"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin):
    list_display = ["kind", "title", "hall", "window", "clerk", "finished_at", "rated_at", "unrated_at"]
    list_filter = ["kind", "hall"]
    list_select_related = ["hall", "window__hall", "clerk"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["service", "kind", "level", "level_label", "channel", "anonymous", "created_at"]
    list_filter = ["level", "kind", "channel"]
    list_select_related = ["service"]


@admin.register(RectificationTicket)
class RectificationTicketAdmin(ReadOnlyAdmin):
    list_display = ["pk", "state", "department", "clerk", "fix_due", "warning_level", "opened_at"]
    list_filter = ["state", "warning_level", "hall"]
    list_select_related = ["department", "clerk"]
