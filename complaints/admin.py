"""Complaints in the admin: the defect catalogue is kept here (bilingual); complaints are read-only once
signed (they change through their pages, where the flow and its change marks apply)."""

from django.contrib import admin

from nhcs.workflow.admin import WorkflowRecordAdmin

from .models import AdvisoryAck, AdvisoryNotice, Complaint, DefectType, Feedback


@admin.register(DefectType)
class DefectTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_zh", "name_en"]

    def has_delete_permission(self, request, obj=None):
        # A defect named on complaints stays (retire it instead); an unused one may go.
        if obj is not None and Complaint.objects.filter(defect=obj).exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Complaint)
class ComplaintAdmin(WorkflowRecordAdmin):
    list_display = ["customer", "received_at", "category", "defect", "part_number", "lot"]
    list_filter = ["state", "category", "severity", "channel"]
    list_select_related = ["customer", "defect"]
    search_fields = ["number", "customer__code", "part_number", "lot", "order_number"]
    filter_horizontal = ["investigators"]


@admin.register(Feedback)
class FeedbackAdmin(WorkflowRecordAdmin):
    list_display = ["customer", "received_at", "source", "sentiment", "part_number", "lot"]
    list_filter = ["state", "source", "sentiment"]
    list_select_related = ["customer"]
    search_fields = ["number", "customer__code", "part_number", "lot", "order_number", "text"]


@admin.register(AdvisoryNotice)
class AdvisoryNoticeAdmin(WorkflowRecordAdmin):
    list_display = ["subject", "measure", "respond_by"]
    list_filter = ["state", "measure"]
    search_fields = ["number", "subject", "parts", "lots"]


@admin.register(AdvisoryAck)
class AdvisoryAckAdmin(WorkflowRecordAdmin):
    list_display = ["notice", "customer", "acknowledged_on", "channel"]
    list_filter = ["state", "channel"]
    list_select_related = ["notice", "customer"]
    search_fields = ["number", "customer__code", "notice__number"]
