from django.contrib import admin

from .models import Attachment, Delegation, NumberPattern, NumberSequence, SignOff, Task


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["signed_at", "content_type", "object_id", "action", "user", "on_behalf_of", "department_name"]
    list_filter = ["action", "content_type"]
    list_select_related = ["content_type", "user", "on_behalf_of"]
    search_fields = ["user__username", "comment"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["record_number", "kind", "state", "step", "department", "position", "assignee", "status", "due_at"]
    list_filter = ["status", "kind", "flow_key", "department"]
    list_select_related = ["department", "assignee"]
    search_fields = ["record_number"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["uploaded_at", "content_type", "object_id", "seq", "kind", "original_name", "size", "uploaded_by"]
    list_select_related = ["content_type", "uploaded_by"]


@admin.register(NumberPattern)
class NumberPatternAdmin(admin.ModelAdmin):
    list_display = ["key", "pattern"]


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ["key", "year", "last"]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["principal", "deputy", "starts_on", "ends_on", "note"]
    list_select_related = ["principal", "deputy"]
