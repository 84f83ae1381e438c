"""Corrective actions in the admin: read-only once signed (they change through their pages, where the
flow and its change marks apply), never deleted once signed, states by their labels."""

from django.contrib import admin

from nhcs.workflow.admin import WorkflowRecordAdmin

from .models import CorrectiveAction


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(WorkflowRecordAdmin):
    list_display = ["kind", "source_number", "trigger", "owner_department", "due_on"]
    list_filter = ["state", "kind", "source_kind", "owner_department"]
    list_select_related = ["owner_department"]
    search_fields = ["number", "title", "source_number", "source_label"]
    readonly_fields = [
        "source_type",
        "source_id",
        "source_kind",
        "source_number",
        "source_label",
        "topic_type",
        "topic_id",
        "customer_feedback_required",
    ]
