from django.contrib import admin

from nhcs.workflow.admin import RecordPartInline, WorkflowRecordAdmin

from .models import Order, OrderLine, Shipment


class LineInline(RecordPartInline):
    model = OrderLine


@admin.register(Order)
class OrderAdmin(WorkflowRecordAdmin):
    """Read-only once submitted: orders change through the order pages, where the flow and change marks apply."""

    list_display = ["customer", "po_number", "po_date", "committed_date"]
    list_filter = ["state"]
    list_select_related = ["customer"]
    search_fields = ["number", "po_number", "customer__code"]
    inlines = [LineInline]


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
