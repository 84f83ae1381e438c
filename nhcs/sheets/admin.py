from django.contrib import admin

from .models import CompanySettings, FormSetting


@admin.register(CompanySettings)
class CompanySettingsAdmin(admin.ModelAdmin):
    list_display = ("name_zh", "name_en", "phone")

    def has_add_permission(self, request):
        # One letterhead only.
        return not CompanySettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FormSetting)
class FormSettingAdmin(admin.ModelAdmin):
    list_display = ("document_number", "title_zh", "title_en", "version", "procedure", "key")
    list_editable = ("version",)
    search_fields = ("key", "title_zh", "title_en", "document_number")
    ordering = ("sort_order", "key")

    def get_readonly_fields(self, request, obj=None):
        # The key is what the program looks the form up by.
        return ("key",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False
