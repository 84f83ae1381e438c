from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, User
from .services import user_sync_groups


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "deputy_gm", "heads", "group", "is_active"]
    list_editable = ["is_active"]
    list_select_related = ["deputy_gm", "group"]

    @admin.display(description=_("department heads"))
    def heads(self, obj):
        from .choices import Position

        return ", ".join(str(u) for u in obj.members.filter(position=Position.HEAD, is_active=True)) or "—"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "department", "position", "email", "is_active"]
    list_filter = ["department", "position", "is_active", "groups"]
    list_select_related = ["department"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Department and position"), {"fields": ("department", "position", "display_name", "phone")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Department and position"), {"fields": ("department", "position", "display_name", "email")}),
    )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the form's own group choices are saved, so the department's groups win.
        user_sync_groups(user=form.instance)
