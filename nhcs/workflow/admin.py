from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .flow import FLOWS
from .models import (
    Attachment,
    CalendarPeriod,
    Delegation,
    NumberPattern,
    NumberSequence,
    ReaderRule,
    Round,
    SignOff,
    Task,
    ValueChange,
    WorkflowRecord,
    WorkWeek,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _untouched(record) -> bool:
    """A record still in its first state and never signed: the only kind the admin may change."""
    return (
        record is not None
        and record.pk is not None
        and record.state == record.flow.initial
        and not SignOff.objects.for_record(record).exists()
    )


class StateFilter(admin.SimpleListFilter):
    """Filter by state, with the flow's labels in the reader's language and in the flow's order."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        flow = model_admin.model.flow
        return [(state, flow.state_label(state)) for state in flow.state_order()]

    def queryset(self, request, queryset):
        return queryset.filter(state=self.value()) if self.value() else queryset


class WorkflowRecordAdmin(SimpleHistoryAdmin):
    """The admin of every workflow record: read-only once it left its first state or was signed
    (changes go through the record's pages, where the flow, its rounds and change marks apply), never
    added here, deleted only while untouched. States show their labels."""

    def get_list_display(self, request):
        return ["number", *[f for f in self.list_display if f not in ("number", "state")], "state_label"]

    def get_list_filter(self, request):
        return [StateFilter if f == "state" else f for f in super().get_list_filter(request)]

    @admin.display(description=_("state"), ordering="state")
    def state_label(self, obj):
        return obj.state_label

    def get_readonly_fields(self, request, obj=None):
        fields = ["number", "state_label", "created_by", "created_at", "changed_by", "changed_at", "version"]
        return [*fields, *super().get_readonly_fields(request, obj)]

    def get_exclude(self, request, obj=None):
        return ["state", *(super().get_exclude(request, obj) or [])]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and not _untouched(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None or not _untouched(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete would not look at each record's signatures
        return actions


class RecordPartAdmin(admin.ModelAdmin):
    """Rows that belong to a workflow record (survey answers, aspects …): read-only and never deleted
    once their record left its first state. Subclasses say which record with `record_of(obj)`."""

    def record_of(self, obj) -> WorkflowRecord | None:  # pragma: no cover - each subclass says
        raise NotImplementedError

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and not _untouched(self.record_of(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None or not _untouched(self.record_of(obj)):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class RecordPartInline(admin.TabularInline):
    """An inline of a workflow record's rows: read-only once the record left its first state."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return _untouched(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _untouched(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _untouched(obj) and super().has_delete_permission(request, obj)


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["signed_at", "content_type", "object_id", "label", "user", "on_behalf_of", "department_name"]
    list_filter = ["action", "content_type"]
    list_select_related = ["content_type", "user", "on_behalf_of"]
    search_fields = ["user__username", "comment"]
    exclude = ["content_hash"]


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["content_type", "object_id", "number", "status", "started_at", "ended_at"]
    list_filter = ["status", "content_type"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["record_number", "kind", "label", "department", "position", "assignee", "status", "due_at"]
    list_filter = ["status", "kind", "flow_key", "department"]
    list_select_related = ["department", "assignee"]
    search_fields = ["record_number"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["uploaded_at", "content_type", "object_id", "seq", "kind", "original_name", "size", "uploaded_by"]
    list_select_related = ["content_type", "uploaded_by"]


@admin.register(ValueChange)
class ValueChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "content_type", "object_id", "relation", "row_id", "field", "by_number", "user"]
    list_select_related = ["content_type", "user"]
    search_fields = ["by_number"]


@admin.register(NumberPattern)
class NumberPatternAdmin(admin.ModelAdmin):
    list_display = ["key", "pattern"]


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ["key", "year", "last"]


class DelegationAdminForm(forms.ModelForm):
    class Meta:
        model = Delegation
        fields = ["principal", "deputy", "starts_on", "ends_on", "note"]

    def clean(self):
        from .services import delegation_problem

        data = super().clean()
        if all(data.get(k) for k in ("principal", "deputy", "starts_on", "ends_on")):
            problem = delegation_problem(
                principal=data["principal"],
                deputy=data["deputy"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                exclude_pk=self.instance.pk,
            )
            if problem:
                raise forms.ValidationError(problem)
        return data


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    form = DelegationAdminForm
    list_display = ["principal", "deputy", "starts_on", "ends_on", "note"]
    list_select_related = ["principal", "deputy"]


@admin.register(WorkWeek)
class WorkWeekAdmin(admin.ModelAdmin):
    list_display = ["__str__", *WorkWeek.DAYS]

    def has_add_permission(self, request):
        return not WorkWeek.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarPeriod)
class CalendarPeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "kind"]
    list_filter = ["kind"]
    date_hierarchy = "starts_on"


class ReaderRuleForm(forms.ModelForm):
    flow_key = forms.ChoiceField(label=_("record type"))

    class Meta:
        model = ReaderRule
        fields = ["flow_key", "departments", "heads_and_above"]
        widgets = {"departments": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flow_key"].choices = sorted((key, str(flow.label)) for key, (flow, _m) in FLOWS.items())


@admin.register(ReaderRule)
class ReaderRuleAdmin(admin.ModelAdmin):
    form = ReaderRuleForm
    list_display = ["__str__", "heads_and_above"]
