from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .choices import MailStatus
from .models import Mail, ScheduledRun


@admin.register(Mail)
class MailAdmin(admin.ModelAdmin):
    """The mail log, read-only; failed mails can be sent again."""

    list_display = ["queued_at", "to", "subject", "kind", "status", "attempts", "sent_at", "next_attempt_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["content_type"]
    search_fields = ["to", "subject"]
    date_hierarchy = "queued_at"
    fields = [
        "to",
        "subject",
        "body",
        "kind",
        "content_type",
        "object_id",
        "status",
        "attempts",
        "last_error",
        "queued_at",
        "next_attempt_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm("mail.change_mail")

    @admin.action(description=_("Retry now (failed mails)"), permissions=["retry"])
    def retry_now(self, request, queryset):
        selected = list(queryset)
        count = services.mail_retry(mails=selected)
        skipped = sum(1 for m in selected if m.status != MailStatus.FAILED)
        self.message_user(
            request,
            ngettext("%(count)d mail queued to be sent again.", "%(count)d mails queued to be sent again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected mail was not failed and was left alone.",
                    "%(count)d selected mails were not failed and were left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    list_display = ["name", "run_after", "last_started_at"]
    readonly_fields = ["name", "token", "run_after", "last_started_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
