"""Codes of the customer property register (NH-QP14 4.8); labels are rendered in the reader's language."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from nhcs.customers.choices import Channel  # noqa: F401 - the register's, used here too


class PropertyKind(models.TextChoices):
    """What the customer supplies (4.8.1)."""

    MOLD = "mold", _("Mold")
    TOOLING = "tooling", _("Tooling / fixture")
    EQUIPMENT = "equipment", _("Equipment")
    PARTS = "parts", _("Parts / components")
    FILM = "film", _("Film (菲林)")
    DRAWING = "drawing", _("Drawings / documents")
    OTHER = "other", _("Other")


# Kinds that carry a revision: the shop floor never uses a superseded one (4.1.2).
REVISED_KINDS = (PropertyKind.FILM, PropertyKind.DRAWING)


class ItemState(models.TextChoices):
    """The item's status (4.8.3): the workflow state, changed only by actions, each signed."""

    REGISTERED = "registered", _("Registered")
    PENDING_VERIFICATION = "pending_verification", _("Pending verification")
    ACCEPTED = "accepted", _("Accepted")
    NONCONFORMING = "nonconforming", _("Nonconforming")
    CUSTOMER_NOTIFIED = "customer_notified", _("Nonconforming, customer notified")
    IN_STORAGE = "in_storage", _("In storage")
    IN_USE = "in_use", _("In use")
    UNDER_MAINTENANCE = "under_maintenance", _("Under maintenance")
    LOST = "lost", _("Lost")
    DAMAGED = "damaged", _("Damaged")
    RETURNED = "returned", _("Returned to the customer")
    SCRAPPED = "scrapped", _("Scrapped")
    USED_UP = "used_up", _("Used up in production")


# The item is gone from our hands: nothing is moved any more.
GONE_STATES = (ItemState.RETURNED, ItemState.SCRAPPED, ItemState.USED_UP)


class Disposition(models.TextChoices):
    """What the customer decided for an item that failed incoming verification (4.8.4)."""

    RETURN = "return", _("Return to the customer")
    ACCEPT_AS_IS = "accept_as_is", _("Accept as is")
    REPAIR = "repair", _("Repair")


class VerificationCheck(models.TextChoices):
    APPEARANCE = "appearance", _("Appearance")
    DIMENSIONS = "dimensions", _("Dimensions")
    QUANTITY = "quantity", _("Quantity")
    FUNCTION = "function", _("Function / trial")
    DOCUMENTS = "documents", _("Documents and revision")
    PACKAGING = "packaging", _("Packaging and preservation")
    IDENTIFICATION = "identification", _("Identification / marking")


class MovementKind(models.TextChoices):
    """A row of the movement ledger (append-only)."""

    RECEIVED = "received", _("Received")
    ISSUED = "issued", _("Issued to production")
    RETURNED_FROM_PRODUCTION = "returned_from_production", _("Returned from production")
    CONSUMED = "consumed", _("Consumed in production")
    SCRAPPED_IN_PRODUCTION = "scrapped_in_production", _("Scrapped in production")
    RETURNED_TO_CUSTOMER = "returned_to_customer", _("Returned to the customer")
    SCRAPPED = "scrapped", _("Scrapped with the customer's consent")
    ADJUSTED = "adjusted", _("Stock-take adjustment")
    MOVED = "moved", _("Moved to a location")
    SHOTS = "shots", _("Production run (shots)")
    MAINTENANCE = "maintenance", _("Maintenance")


M = MovementKind
# What each kind does to the quantity in store and to the quantity at production (sign of its quantity).
STOCK_EFFECT = {M.RECEIVED: 1, M.ISSUED: -1, M.RETURNED_FROM_PRODUCTION: 1, M.RETURNED_TO_CUSTOMER: -1, M.SCRAPPED: -1}
PRODUCTION_EFFECT = {M.ISSUED: 1, M.RETURNED_FROM_PRODUCTION: -1, M.CONSUMED: -1, M.SCRAPPED_IN_PRODUCTION: -1}
# An adjustment carries its own sign (counted minus expected).
QUANTITY_KINDS = (*STOCK_EFFECT, *PRODUCTION_EFFECT, M.ADJUSTED)

# What the warehouse and manufacturing post by hand (the movement form); the others are written by the
# register's actions (receipt at verification, returns, scrapping, stock-take, storing, maintenance).
HAND_KINDS = (
    M.ISSUED,
    M.RETURNED_FROM_PRODUCTION,
    M.CONSUMED,
    M.SCRAPPED_IN_PRODUCTION,
    M.SHOTS,
    M.MOVED,
)


class IncidentKind(models.TextChoices):
    LOSS = "loss", _("Loss")
    DAMAGE = "damage", _("Damage")


class IncidentState(models.TextChoices):
    REPORTED = "reported", _("Reported")
    CUSTOMER_NOTIFIED = "customer_notified", _("Customer notified")
    SETTLED = "settled", _("Settled")


class Outcome(models.TextChoices):
    """What was agreed with the customer after a loss or damage (4.8.5)."""

    REPAIR = "repair", _("Repair")
    COMPENSATION = "compensation", _("Compensation")
    REPLACEMENT = "replacement", _("Replacement")
    ACCEPTED_AS_IS = "accepted_as_is", _("Customer accepts as is")
    RETURNED = "returned", _("Returned to the customer")
    WRITTEN_OFF = "written_off", _("Written off / scrapped")
    FOUND = "found", _("Found again, no loss")
    OTHER = "other", _("Other")


class CountState(models.TextChoices):
    DRAFT = "draft", _("Counting")
    COUNTED = "counted", _("Counted, to be resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
