from django.contrib import admin

from nhcs.workflow.admin import RecordPartInline, WorkflowRecordAdmin

from .models import ApprovalRule, ChangeItem, ChangeNotice, DelayItem, DelayNotice, Order, OrderLine, Shipment


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


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(admin.ModelAdmin):
    """When the deputy GM's approval of an order suffices (3.5). A rule already applied to an order is kept
    as it was — only its "active" tick changes — so that the review sheets print what was applied."""

    list_display = ["name", "repeat_orders_only", "below_amount", "currency", "active", "sort_order"]
    list_editable = ["active"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.pk and obj.orders.exists():
            return ["name", "repeat_orders_only", "below_amount", "currency", "sort_order"]
        return []

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.orders.exists()


class ChangeItemInline(RecordPartInline):
    model = ChangeItem


@admin.register(ChangeNotice)
class ChangeNoticeAdmin(WorkflowRecordAdmin):
    """Read-only once submitted: change notices change through their pages."""

    list_display = ["order", "price_changed"]
    list_filter = ["state", "price_changed"]
    list_select_related = ["order"]
    search_fields = ["number", "order__number", "order__po_number"]
    inlines = [ChangeItemInline]


class DelayItemInline(RecordPartInline):
    model = DelayItem


@admin.register(DelayNotice)
class DelayNoticeAdmin(WorkflowRecordAdmin):
    """Read-only once issued: delay notices change through their pages."""

    list_display = ["customer"]
    list_filter = ["state"]
    list_select_related = ["customer"]
    search_fields = ["number", "customer__code"]
    inlines = [DelayItemInline]
