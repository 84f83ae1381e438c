from django.contrib import admin

from nhcs.workflow.admin import RecordPartInline, WorkflowRecordAdmin

from .models import Incident, Location, Movement, PropertyItem, StockCount, StockCountLine


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    """The places customer property is kept; counts are taken by location."""

    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]


@admin.register(PropertyItem)
class PropertyItemAdmin(WorkflowRecordAdmin):
    """Read-only once submitted: items change through the register's pages, where the flow applies."""

    list_display = ["customer", "kind", "name", "customer_asset_number"]
    list_filter = ["state", "kind"]
    list_select_related = ["customer"]
    search_fields = ["number", "name", "customer_asset_number", "customer__code"]


@admin.register(Incident)
class IncidentAdmin(WorkflowRecordAdmin):
    list_display = ["item", "kind", "occurred_on", "outcome"]
    list_filter = ["state", "kind"]
    list_select_related = ["item"]


class CountLineInline(RecordPartInline):
    model = StockCountLine


@admin.register(StockCount)
class StockCountAdmin(WorkflowRecordAdmin):
    list_display = ["location", "customer", "counted_on"]
    list_filter = ["state"]
    inlines = [CountLineInline]


@admin.register(Movement)
class MovementAdmin(admin.ModelAdmin):
    """Read-only: movements are posted on the register's pages, never changed or deleted."""

    list_display = ["moved_on", "item", "kind", "quantity", "shots", "order_number", "location", "entered_by"]
    list_filter = ["kind", "moved_on"]
    list_select_related = ["item", "location", "entered_by"]
    search_fields = ["item__number", "order_number", "reference"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
