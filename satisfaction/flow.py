"""The flows of the satisfaction surveys (NH-QP14 4.7), declared on the shared workflow.

A survey campaign: Sales prepares the questionnaire and sample, sends the survey (4.7.1), follows up
those who do not answer (4.7.2), closes it and its head signs the statistics sheet (4.7.4). An
improvement item, raised for a total below 60 or an aspect below "satisfied": the responsible
department's head sets the measures and distributes them, Sales informs the customer, Quality verifies
the effectiveness (4.7.5), the Sales head closes it.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.accounts.choices import Position
from nhcs.workflow.choices import Action
from nhcs.workflow.flow import Check, FieldsFilled, Flow, Requirement, Role, Transition, list_text

from .actions import CustomerInformedForm, DistributionForm
from .choices import CampaignState, Channel, ImprovementState

SALES = Role(department="SALES")
SALES_HEAD = Role(department="SALES", position=Position.HEAD)
QA = Role(department="QA")


# The head of the department named on an improvement item; nobody holding it, the task moves up the
# department hierarchy (deputy GM in charge, GM).
RESPONSIBLE_HEAD = Role(
    department_field="responsible_department",
    position=Position.HEAD,
    name=_("head of the responsible department"),
)
RESPONSIBLE_DEPARTMENT = Role(department_field="responsible_department")


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


IMPROVEMENT_FLOW = Flow(
    key="satisfaction_improvement",
    label=_("Satisfaction improvement item"),
    states=ImprovementState,
    initial=ImprovementState.OPEN,
    number_pattern="MYG-{yyyy}-{seq:04}",
    final_states=(ImprovementState.CLOSED,),
    transitions=[
        Transition(
            "set_measures",
            ImprovementState.OPEN,
            ImprovementState.MEASURES_SET,
            _("Set the measures"),
            Action.SUBMIT,
            who=(RESPONSIBLE_HEAD,),
            done_label=_("Measures set"),
            requires=(FieldsFilled("analysis", "measures"),),
        ),
        # 4.7.4: the departments the measures go to are captured with the action.
        Transition(
            "distribute",
            ImprovementState.MEASURES_SET,
            ImprovementState.DISTRIBUTED,
            _("Distribute to the departments"),
            Action.ISSUE,
            who=(RESPONSIBLE_HEAD,),
            form=DistributionForm,
            done_label=_("Measures distributed"),
        ),
        # 4.7.4: feed back to the customer, with what they were told.
        Transition(
            "inform_customer",
            ImprovementState.DISTRIBUTED,
            ImprovementState.CUSTOMER_INFORMED,
            _("Customer informed"),
            Action.CONFIRM,
            who=(SALES,),
            form=CustomerInformedForm,
            done_label=_("Customer informed of the measures"),
        ),
        Transition(
            "verify",
            ImprovementState.CUSTOMER_INFORMED,
            ImprovementState.VERIFIED,
            _("Verify effectiveness"),
            Action.VERIFY,
            who=(QA,),
            comment_required=True,
        ),
        Transition(
            "close",
            ImprovementState.VERIFIED,
            ImprovementState.CLOSED,
            _("Close"),
            Action.CLOSE,
            who=(SALES_HEAD,),
        ),
        Transition(
            "revise",
            ImprovementState.MEASURES_SET,
            ImprovementState.OPEN,
            _("Take back to revise the measures"),
            Action.REOPEN,
            who=(RESPONSIBLE_HEAD, SALES_HEAD),
            done_label=_("Taken back to revise the measures"),
            separation_of_duties=False,
            optional=True,
            style="secondary",
        ),
    ],
    due_days={ImprovementState.OPEN: 10, ImprovementState.DISTRIBUTED: 10, ImprovementState.CUSTOMER_INFORMED: 30},
    editors=(RESPONSIBLE_HEAD, SALES_HEAD, SALES),
    # The analysis and measures are written while the item is open; once the head signed them they
    # change only by taking the item back (a new round of signatures).
    edit_states={ImprovementState.OPEN: None, ImprovementState.MEASURES_SET: "revise"},
    readers=(SALES, QA, RESPONSIBLE_DEPARTMENT),
)
