from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _answer_number(response) -> str:
    """A survey answer as numbered on its filled form: MY-2026-001-C002."""
    return f"{response.recipient.campaign.number}-{response.recipient.customer.code}"


def _answer_title(response) -> str:
    customer = response.recipient.customer
    return f"{customer.code} {customer.name_zh or customer.name_en}".strip()


def _answer_url(response) -> str:
    from django.urls import reverse

    return reverse("satisfaction:response_detail", args=[response.recipient.campaign_id, response.recipient_id])


class SatisfactionConfig(AppConfig):
    """Customer satisfaction surveys (NH-QP14 4.7)."""

    name = "satisfaction"
    verbose_name = _("Customer satisfaction")

    def ready(self) -> None:
        from nhcs.capa.sources import SourceKind, register_source
        from nhcs.links.registry import LinkPurpose, register
        from nhcs.workflow.display import register_attachment_purpose

        from .services import SURVEY_ANSWER_SOURCE, SURVEY_LINK

        register_attachment_purpose("survey_returned_form", _("Returned survey form"))
        # A low answer raises corrective actions (NH-QP14 4.7.4): whoever reads the survey reads them, and
        # the customer is told of the measures.
        register_source(
            SourceKind(
                SURVEY_ANSWER_SOURCE,
                "satisfaction.Response",
                _("Survey answer"),
                reading_path="recipient__campaign",
                number=_answer_number,
                title=_answer_title,
                url=_answer_url,
                customer_opinion=True,
                select_related=("recipient__campaign", "recipient__customer"),
            )
        )
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

    def seed_volume(self, volume) -> None:
        from .volume import seed

        seed(volume)
