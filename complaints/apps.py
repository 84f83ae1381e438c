from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Customer complaints and their corrective and preventive actions (NH-QP14 4.6)."""

    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from nhcs.capa.sources import SourceKind, register_source
        from nhcs.workflow.display import register_attachment_purpose

        # Actions raised from a complaint are read by whoever reads the complaint (the complaint is a
        # workflow record: its number, title and page are its own); its customer is joined for the title.
        register_source(
            SourceKind("complaint", "complaints.Complaint", _("Customer complaint"), select_related=("customer",))
        )
        register_attachment_purpose("complaint_reply_letter", _("Reply letter to the customer, %(date)s"))
        register_attachment_purpose("complaint_8d_report", _("8D report sent with the reply, %(date)s"))

        # After-sales (4.5): the feedback register keeps every customer opinion other areas hear (4.7.4);
        # actions raised from a feedback tell the customer of the measures; customers acknowledge advisory
        # notices at /a/<token>/.
        from nhcs.customers.opinions import connect
        from nhcs.links.registry import LinkPurpose, register

        from .services import ADVISORY_LINK, feedback_from_opinion

        connect(feedback_from_opinion)
        register_source(
            SourceKind(
                "feedback",
                "complaints.Feedback",
                _("After-sales feedback"),
                customer_opinion=True,
                select_related=("customer",),
            )
        )
        register(
            LinkPurpose(
                ADVISORY_LINK,
                "a",
                "complaints.views.advisory_customer_page",
                _("Acknowledgement of an advisory notice"),
            )
        )
        register_attachment_purpose(
            "advisory_online_ack", _("Acknowledged by %(name)s through the customer link on %(date)s")
        )

    def seed_demo(self, stdout) -> None:
        from .demo import seed

        seed(stdout=stdout)

    def seed_volume(self, volume) -> None:
        from .volume import seed

        seed(volume)

    def home_warnings(self, user) -> list[str]:
        from .selectors import home_warnings

        return home_warnings(user)

    # What the customer register (nhcs.customers.hooks) shows of the complaints.

    def customer_counts(self, customer_ids):
        from nhcs.customers.hooks import CustomerCount

        from .selectors import complaint_counts_by_customer

        return [CustomerCount("complaints", _("Complaints"), complaint_counts_by_customer(customer_ids))]
