"""The admin of the surveys: read-only once a survey left its draft (changes go through the survey pages,
where the flow and its change marks apply); nothing signed is deleted here."""

from django.contrib import admin

from nhcs.workflow.admin import RecordPartAdmin, RecordPartInline, WorkflowRecordAdmin

from .models import Answer, Aspect, Campaign, FollowUp, Recipient, Response, Tick


class AspectInline(RecordPartInline):
    model = Aspect


class TickInline(RecordPartInline):
    model = Tick


@admin.register(Campaign)
class CampaignAdmin(WorkflowRecordAdmin):
    list_display = ["title", "period", "sent_on"]
    list_filter = ["state"]
    search_fields = ["number", "title"]
    readonly_fields = ["sent_on"]
    inlines = [AspectInline, TickInline]


@admin.register(Recipient)
class RecipientAdmin(RecordPartAdmin):
    list_display = ["campaign", "customer", "channel", "sent_at", "link"]
    list_select_related = ["campaign", "customer", "link"]
    readonly_fields = ["link"]

    def record_of(self, obj):
        return obj.campaign


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    readonly_fields = ["aspect", "tick", "points", "below_satisfied"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(RecordPartAdmin):
    list_display = ["recipient", "source", "total", "band", "received_on"]
    list_select_related = ["recipient__customer", "recipient__campaign"]
    readonly_fields = ["total", "band"]
    inlines = [AnswerInline]

    def record_of(self, obj):
        return obj.recipient.campaign


@admin.register(FollowUp)
class FollowUpAdmin(RecordPartAdmin):
    list_display = ["recipient", "kind", "done_at", "done_by"]
    list_select_related = ["recipient__customer", "done_by"]

    def record_of(self, obj):
        return obj.recipient.campaign
