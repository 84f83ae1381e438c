from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Answer, Aspect, Campaign, FollowUp, Recipient, Response, Tick


class AspectInline(admin.TabularInline):
    model = Aspect
    extra = 0


class TickInline(admin.TabularInline):
    model = Tick
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "period", "state", "sent_on"]
    list_filter = ["state"]
    search_fields = ["number", "title"]
    readonly_fields = ["number", "state", "sent_on", "created_by", "changed_by"]
    inlines = [AspectInline, TickInline]


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ["campaign", "customer", "channel", "sent_at", "link"]
    list_select_related = ["campaign", "customer", "link"]
    readonly_fields = ["link"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    readonly_fields = ["aspect", "tick", "points", "below_satisfied"]
    can_delete = False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["recipient", "source", "total", "band", "received_on"]
    list_select_related = ["recipient__customer", "recipient__campaign"]
    readonly_fields = ["total", "band"]
    inlines = [AnswerInline]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "done_at", "done_by"]
    list_select_related = ["recipient__customer", "done_by"]
