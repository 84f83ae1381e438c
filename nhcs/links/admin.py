from django.contrib import admin

from .models import CustomerLink


@admin.register(CustomerLink)
class CustomerLinkAdmin(admin.ModelAdmin):
    """Read-only: links are given out and answered through the areas' pages; the token stays secret."""

    list_display = ["purpose", "customer", "created_at", "expires_at", "used_at", "answered_name", "answered_ip"]
    list_filter = ["purpose"]
    list_select_related = ["customer"]
    search_fields = ["customer__code", "answered_name"]
    exclude = ["token"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
