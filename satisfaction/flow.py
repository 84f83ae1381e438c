"""The flow of the satisfaction surveys (NH-QP14 4.7), declared on the shared workflow.

A survey campaign: Sales prepares the questionnaire and sample, sends the survey (4.7.1), follows up
those who do not answer (4.7.2), closes it and its head signs the statistics sheet (4.7.4). A total
below 60 or an aspect below "satisfied" raises corrective actions (nhcs.capa, 4.7.4–4.7.5).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.choices import Position
from nhcs.workflow.choices import Action
from nhcs.workflow.flow import Check, FieldsFilled, Flow, Requirement, Role, Transition, list_text

from .choices import CampaignState, Channel

SALES = Role(department="SALES")
SALES_HEAD = Role(department="SALES", position=Position.HEAD)
QA = Role(department="QA")


def _campaign_has_sample(campaign) -> bool:
    return campaign.recipients.exists()


class EmailAddressesKnown(Requirement):
    """Every customer to be surveyed by e-mail link has an address; the message names those who don't."""

    def problem(self, record, context):
        missing = list(
            record.recipients.filter(channel=Channel.EMAIL, customer__email="").values_list("customer__code", flat=True)
        )
        if missing:
            return _("No e-mail address for %(customers)s: add one or choose another channel.") % {
                "customers": list_text(missing)
            }
        return None


def _campaign_questionnaire_ok(campaign) -> bool:
    return campaign.aspects.filter(weight__gt=0).exists() and campaign.ticks.count() == 5


def _campaign_sent(**kwargs):
    from .services import campaign_after_send

    campaign_after_send(**kwargs)


CAMPAIGN_FLOW = Flow(
    key="satisfaction_campaign",
    label=_("Satisfaction survey"),
    states=CampaignState,
    initial=CampaignState.DRAFT,
    number_pattern="MY-{yyyy}-{seq:03}",
    final_states=(CampaignState.ANALYSED,),
    transitions=[
        Transition(
            "send",
            CampaignState.DRAFT,
            CampaignState.SENT,
            _("Send the survey"),
            Action.ISSUE,
            who=(SALES,),
            requires=(
                FieldsFilled("title", "response_deadline"),
                Check(_campaign_has_sample, _("Choose the sample of customers first.")),
                EmailAddressesKnown(),
                Check(
                    _campaign_questionnaire_ok,
                    _("The questionnaire needs at least one weighted aspect and five ticks."),
                ),
                Check(
                    lambda c: c.response_deadline is None or c.response_deadline >= timezone.localdate(),
                    _("The answer deadline is in the past."),
                ),
            ),
            done_label=_("Survey sent"),
            after=(_campaign_sent,),
        ),
        Transition(
            "start_follow_up",
            CampaignState.SENT,
            CampaignState.COLLECTING,
            _("Start following up non-respondents"),
            Action.CONFIRM,
            who=(SALES,),
        ),
        Transition(
            "close",
            (CampaignState.SENT, CampaignState.COLLECTING),
            CampaignState.CLOSED,
            _("Close the survey"),
            Action.CLOSE,
            who=(SALES,),
            requires=(
                Check(
                    lambda c: c.recipients.filter(response__isnull=False).exists(),
                    _("No answer has been recorded yet."),
                ),
            ),
        ),
        Transition(
            "analyse",
            CampaignState.CLOSED,
            CampaignState.ANALYSED,
            _("Sign the statistics sheet"),
            Action.APPROVE,
            who=(SALES_HEAD,),
        ),
    ],
    due_days={CampaignState.SENT: 14, CampaignState.COLLECTING: 14, CampaignState.CLOSED: 5},
    editors=(SALES,),
    edit_states={CampaignState.DRAFT: None},
    # Customers' answers and comments: Sales runs the survey, Quality follows the improvements up.
    readers=(SALES, QA),
    abilities={"run_surveys": (SALES,), "see_survey_warning": (SALES, Role(department="GMO"))},
)
