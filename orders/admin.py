from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Order, OrderLine


class LineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(SimpleHistoryAdmin):
    """Read-only: orders change through the order pages, where the flow and change marks apply."""

    list_display = ["number", "customer", "po_number", "po_date", "state", "committed_date"]
    list_filter = ["state"]
    list_select_related = ["customer"]
    search_fields = ["number", "po_number", "customer__code"]
    inlines = [LineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
