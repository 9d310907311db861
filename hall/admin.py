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


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "real_name", "kind", "masked_id_number", "mobile", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["username", "real_name", "mobile"]
    fieldsets = BaseUserAdmin.fieldsets + (("通办", {"fields": ("kind", "real_name", "id_number", "mobile")}),)
    inlines = [AssignmentInline]

    @admin.display(description="身份证号")
    def masked_id_number(self, obj):
        return obj.masked_id_number


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "legal_representative", "agent"]
