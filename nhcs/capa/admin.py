from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CorrectiveAction


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(SimpleHistoryAdmin):
    list_display = ["number", "kind", "source_number", "trigger", "owner_department", "due_on", "state"]
    list_filter = ["state", "kind", "source_kind", "owner_department"]
    list_select_related = ["owner_department"]
    search_fields = ["number", "title", "source_number", "source_label"]
    readonly_fields = [
        "number",
        "state",
        "source_type",
        "source_id",
        "source_kind",
        "source_number",
        "source_label",
        "topic_type",
        "topic_id",
        "customer_feedback_required",
        "created_by",
        "changed_by",
    ]
