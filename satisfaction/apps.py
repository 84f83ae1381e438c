from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatisfactionConfig(AppConfig):
    """Customer satisfaction surveys (NH-QP14 4.7)."""

    name = "satisfaction"
    verbose_name = _("Customer satisfaction")

    def ready(self) -> None:
        from nhcs.workflow.display import register_attachment_purpose

        register_attachment_purpose("survey_returned_form", _("Returned survey form"))

    def home_warnings(self, user) -> list[str]:
        """4.7.1 asks for a survey at least once a year: warn Sales and management when none went out."""
        from nhcs.workflow.services import may

        from .flow import CAMPAIGN_FLOW

        if not user.is_authenticated or not (
            user.is_superuser or user.is_manager or may(user=user, flow=CAMPAIGN_FLOW, ability="see_survey_warning")
        ):
            return []
        from .selectors import no_recent_survey_warning

        warning = no_recent_survey_warning()
        return [warning] if warning else []

    def seed_demo(self, stdout) -> None:
        from .demo import seed

        seed(stdout=stdout)
