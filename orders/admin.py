from django.contrib import admin

from nhcs.workflow.admin import RecordPartInline, WorkflowRecordAdmin

from .models import Order, OrderLine


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
