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
    VGM_APPROVED = "vgm_approved", _("Approved by the deputy GM")
    APPROVED = "approved", _("Approved by the GM")
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


# --- change notices (NH-QP14 4.3) ----------------------------------------------------------------------


class ChangeNoticeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to planning")
    UNDER_REVIEW = "under_review", _("In technical review")
    REJECTED = "rejected", _("Rejected: back to sales")
    NEGOTIATED = "negotiated", _("Negotiated with the customer")
    ACCEPTED = "accepted", _("Accepted in review")
    HEAD_REVIEWED = "head_reviewed", _("Reviewed by the department head")
    VGM_APPROVED = "vgm_approved", _("Approved by the deputy GM")
    GM_APPROVED = "gm_approved", _("Approved by the GM")
    ISSUED = "issued", _("Issued to the departments")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ChangeKind(models.TextChoices):
    """What one item of a change notice changes: a value of an order line, a line, the whole order, or a
    requirement of the order written as text."""

    QUANTITY = "quantity", _("Quantity of a line")
    UNIT_PRICE = "unit_price", _("Unit price of a line")
    REQUESTED_DATE = "requested_date", _("Requested date of a line")
    ADD_LINE = "add_line", _("Line added")
    CANCEL_LINE = "cancel_line", _("Line cancelled")
    CANCEL_ORDER = "cancel_order", _("Whole order cancelled")
    SPECIFICATION = "specification", _("Specification / method of making")
    MATERIAL = "material", _("Material")
    PACKAGING = "packaging", _("Packaging / special requirements")
    OTHER = "other", _("Other (remarks)")


# The kinds written as text, and the field of the order each one amends (its old value is read there).
TEXT_KINDS = {
    ChangeKind.SPECIFICATION: "req_methods_note",
    ChangeKind.MATERIAL: "req_materials_note",
    ChangeKind.PACKAGING: "req_special_note",
    ChangeKind.OTHER: "remarks",
}
LINE_KINDS = (ChangeKind.QUANTITY, ChangeKind.UNIT_PRICE, ChangeKind.REQUESTED_DATE, ChangeKind.CANCEL_LINE)


class AckState(models.TextChoices):
    SENT = "sent", _("Waiting for acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


# --- delay notices (NH-QP14 4.4) ------------------------------------------------------------------------


class DelayNoticeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued to sales")
    NEGOTIATING = "negotiating", _("Awaiting the customer's confirmation")
    CONFIRMED = "confirmed", _("Confirmed by the customer")
    WITHDRAWN = "withdrawn", _("Withdrawn")
