from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Department, Enterprise, Hall, Region, StaffAssignment, User, Window


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    search_fields = ["code", "name"]


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "is_city_hall"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "credit_code"]
    list_filter = ["region"]


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["hall", "number", "category"]
    list_filter = ["hall", "category"]


class AssignmentInline(admin.TabularInline):
    model = StaffAssignment
    fk_name = "user"
    extra = 0


class BlindIndexSearchMixin:
    """Admin search by a whole ID number or mobile: encrypted columns cannot be searched by pattern,
    so the typed term is matched exactly through the blind index columns named here."""

    blind_index_search: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        from django.db.models import Q

        from .crypto import blind_index

        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = blind_index(search_term)
        if term and self.blind_index_search:
            match = Q()
            for lookup in self.blind_index_search:
                match |= Q(**{lookup: term})
            results = results | queryset.filter(match)
        return results, may_have_duplicates


@admin.register(User)
class UserAdmin(BlindIndexSearchMixin, BaseUserAdmin):
    list_display = ["username", "real_name", "kind", "masked_id_number", "masked_mobile", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["username", "real_name"]
    blind_index_search = ("id_number_index", "mobile_index")
    fieldsets = BaseUserAdmin.fieldsets + (("通办", {"fields": ("kind", "real_name", "id_number", "mobile")}),)
    inlines = [AssignmentInline]

    def save_formset(self, request, form, formset, change):
        """Role changes (staff assignments added, changed, removed) are security events, with who did it."""
        super().save_formset(request, form, formset, change)
        if formset.model is not StaffAssignment:
            return
        from .constants import SecurityEventKind
        from .security.events import security_event

        changed = [("added", a) for a in formset.new_objects] + [("changed", a) for a, _f in formset.changed_objects]
        changed += [("removed", a) for a in formset.deleted_objects]
        for action, assignment in changed:
            security_event(
                kind=SecurityEventKind.ROLE_CHANGED,
                request=request,
                user=form.instance,
                actor=request.user,
                detail={"action": action, "role": assignment.role, "hall": assignment.hall_id},
            )

    @admin.display(description="身份证号")
    def masked_id_number(self, obj):
        return obj.masked_id_number

    @admin.display(description="手机号")
    def masked_mobile(self, obj):
        from .validators import mask_mobile

        return mask_mobile(obj.mobile)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "legal_representative", "agent"]


# Working-day calendar, notices and clock warnings -----------------------------------------------
from django.contrib import messages  # noqa: E402

from . import workdays  # noqa: E402
from .models import ClockWarning, Notice, NoticeDelivery, WorkingDay  # noqa: E402


@admin.register(WorkingDay)
class WorkingDayAdmin(admin.ModelAdmin):
    """Admins enter the State Council's arrangement here; their rows are never overwritten by reseeding."""

    list_display = ["date", "weekday", "is_working_day", "kind", "note", "source", "provisional"]
    list_filter = ["provisional", "is_working_day", "kind", "source"]
    date_hierarchy = "date"
    search_fields = ["note"]
    fields = ["date", "is_working_day", "kind", "note", "provisional"]
    actions = ["confirm_years"]

    @admin.display(description="星期")
    def weekday(self, obj):
        return "一二三四五六日"[obj.date.weekday()]

    def save_model(self, request, obj, form, change):
        saved = workdays.working_day_update(
            day=obj.date,
            is_working_day=obj.is_working_day,
            kind=obj.kind,
            note=obj.note,
            provisional=obj.provisional,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        workdays.workdays_changed()
        workdays.calendar_changed_schedule_recompute()

    @admin.action(description="确认所选日期所在年度为正式安排（取消暂定）")
    def confirm_years(self, request, queryset):
        for year in sorted({day.year for day in queryset.values_list("date", flat=True)}):
            count = workdays.calendar_confirm_year(year=year)
            self.message_user(request, f"{year}年日历已确认为正式安排（{count}天取消暂定）。", messages.SUCCESS)


class NoticeDeliveryInline(admin.TabularInline):
    model = NoticeDelivery
    extra = 0
    readonly_fields = [
        "channel",
        "address",
        "status",
        "attempts",
        "claimed_at",
        "sent_at",
        "last_error",
        "queue_failed_at",
    ]
    can_delete = False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "subject", "case_number", "read_at"]
    list_filter = ["kind", "deliveries__status", "deliveries__channel"]
    search_fields = ["case_number", "subject", "recipient__username", "recipient__real_name"]
    readonly_fields = ["recipient", "kind", "subject", "body", "link", "case_number", "created_at", "read_at"]
    inlines = [NoticeDeliveryInline]


@admin.register(ClockWarning)
class ClockWarningAdmin(admin.ModelAdmin):
    list_display = ["recorded_at", "case_number", "clock", "due_on", "level"]
    list_filter = ["level", "clock"]
    search_fields = ["case_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Security records: read-only in the admin (append-only; on PostgreSQL a trigger refuses changes) -------
from .models import AccessRecord, SecurityEvent  # noqa: E402


class _RecordAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessRecord)
class AccessRecordAdmin(_RecordAdmin):
    list_display = ["created_at", "actor_name", "role", "hall", "kind", "case_number", "target", "ip"]
    list_filter = ["kind", "role"]
    search_fields = ["case_number", "actor_name"]
    list_select_related = ["hall"]


@admin.register(SecurityEvent)
class SecurityEventAdmin(_RecordAdmin):
    list_display = ["created_at", "kind", "username", "user", "actor", "ip", "path"]
    list_filter = ["kind"]
    search_fields = ["username", "path"]
    list_select_related = ["user", "actor"]


# The notice delivery log: read-only (append-only; on PostgreSQL a trigger refuses changes) -------------
from .models import NoticeDeliveryAttempt  # noqa: E402


@admin.register(NoticeDeliveryAttempt)
class NoticeDeliveryAttemptAdmin(_RecordAdmin):
    list_display = ["finished_at", "idempotency_key", "attempt", "channel", "outcome", "error", "worker"]
    list_filter = ["outcome", "channel"]
    search_fields = ["idempotency_key"]
