from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Order, OrderLine, Shipment


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


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    """Read-only: shipments are recorded on the shipments page or imported, corrected by reversing entries,
    never changed or deleted."""

    list_display = ["shipped_on", "delivery_note", "line", "quantity", "lot", "source", "entered_by", "entered_at"]
    list_filter = ["source", "shipped_on"]
    list_select_related = ["line", "entered_by"]
    search_fields = ["delivery_note", "lot", "line__part_number", "line__order__number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
