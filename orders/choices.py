from django.db import models
from django.utils.translation import gettext_lazy as _

from nhcs.customers.choices import Channel, CustomerLanguage  # noqa: F401 - the register's, used here too


class OrderState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In technical review")
    REVIEWED = "reviewed", _("Reviewed")
    RETURNED = "returned", _("Returned to sales")
    DATE_REPLIED = "date_replied", _("Delivery date replied")
    DATE_CONFIRMED = "date_confirmed", _("Delivery date confirmed")
    RELEASED = "released", _("Released to production")
    PARTLY_SHIPPED = "partly_shipped", _("Partly shipped")
    SHIPPED = "shipped", _("Shipped in full")
    CANCELLED = "cancelled", _("Cancelled")


class RequirementStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    NOT_APPLICABLE = "na", _("Not applicable")
    CLARIFY = "clarify", _("Needs clarification")


class RequirementItem(models.TextChoices):
    """The requirements sales identifies before confirming an order (NH-QP14 4.1.1)."""

    COST = "cost", _("Cost")
    MATERIALS = "materials", _("Materials")
    METHODS = "methods", _("Methods of making (作法)")
    SPECIAL = "special", _("Special requirements")
    SERVICES = "services", _("Product-related services (inspection date, delivery date)")
    STATUTORY = "statutory", _("Statutory and regulatory requirements")


class MaterialSource(models.TextChoices):
    MAKE = "make", _("Make")
    BUY = "buy", _("Buy")
    OUTSOURCE = "outsource", _("Outsource")


class Currency(models.TextChoices):
    CNY = "CNY", "CNY"
    USD = "USD", "USD"
    EUR = "EUR", "EUR"
    HKD = "HKD", "HKD"


class ReviewStep(models.TextChoices):
    BOM = "bom", _("Engineering & Process: BOM review")
    LEAD_TIMES = "lead_times", _("Purchasing: material lead times")
    RD = "rd", _("R&D opinion")
    QA = "qa", _("Quality opinion")
    MFG = "mfg", _("Manufacturing opinion")


class ShipmentSource(models.TextChoices):
    """How a shipment came into NHCS: typed in from the delivery note, or imported from the ERP's export."""

    HAND = "hand", _("Entered by hand")
    ERP = "erp", _("Imported from the ERP")
