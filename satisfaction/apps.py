from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatisfactionConfig(AppConfig):
    """Customer satisfaction surveys (NH-QP14 4.7)."""

    name = "satisfaction"
    verbose_name = _("Customer satisfaction")

    def ready(self) -> None:
        from nhcs.links.registry import LinkPurpose, register
        from nhcs.workflow.display import register_attachment_purpose

        from .services import SURVEY_LINK

        register_attachment_purpose("survey_returned_form", _("Returned survey form"))
        # The customer's form at /s/<token>/ (the address the survey links have always had).
        register(LinkPurpose(SURVEY_LINK, "s", "satisfaction.views.public_answer", _("Customer satisfaction survey")))

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

    def home_sheet_links(self, user) -> list[dict]:
        """The blank survey form, for any member of staff to print, post or fax (a card on the home page)."""
        from django.urls import reverse

        if not user.is_authenticated:
            return []
        label = _("Customer satisfaction survey form (blank, PDF)")
        return [
            {
                "key": "survey-form-blank",
                "label": f"顾客满意度调查表 · {label}",
                "url": reverse("satisfaction:survey_form_blank"),
            }
        ]

    def seed_demo(self, stdout) -> None:
        from .demo import seed

        seed(stdout=stdout)
