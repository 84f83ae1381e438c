from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _forget_request_values(**kwargs) -> None:
    from nhcs.core.request_cache import forget

    forget()


class WorkflowConfig(AppConfig):
    name = "nhcs.workflow"
    label = "workflow"
    verbose_name = _("Approval workflow")

    def ready(self):
        from .models import ReaderRule

        # The readers of each record type are read once per request; a change to them is seen at once.
        post_save.connect(_forget_request_values, sender=ReaderRule, dispatch_uid="readerrule-saved")
        post_delete.connect(_forget_request_values, sender=ReaderRule, dispatch_uid="readerrule-deleted")
        m2m_changed.connect(
            _forget_request_values, sender=ReaderRule.departments.through, dispatch_uid="readerrule-departments"
        )
