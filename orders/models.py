from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nhcs.workflow.flow import list_text
from nhcs.workflow.models import WorkflowRecord

from .choices import (
    TEXT_KINDS,
    ChangeKind,
    Channel,
    Currency,
    MaterialSource,
    OrderState,
    RequirementItem,
    RequirementStatus,
    ShipmentSource,
)
from .flow import CHANGE_ACK_FLOW, CHANGE_NOTICE_FLOW, DELAY_NOTICE_FLOW, ORDER_FLOW

REQUIREMENT_FIELDS = [f"req_{item.value}" for item in RequirementItem]
# States in which an order was approved and released: what it asked for is an existing product.
RELEASED_STATES = (OrderState.RELEASED, OrderState.PARTLY_SHIPPED, OrderState.SHIPPED)


class ApprovalRule(models.Model):
    """When the deputy GM's approval of an order suffices (NH-QP14 3.5 gives the approval to the GM; the
    company may delegate it by rule), kept in the admin: e.g. a repeat order of existing products below a
    value. The rule that applies when the deputy GM approves is captured with that approval and printed on
    the order's review sheet; a rule once applied is kept as it was (only its "active" tick changes)."""

    name = models.CharField(
        _("name"), max_length=100, help_text=_("e.g. 重复订单 5万元以下 Repeat orders below 50,000")
    )
    repeat_orders_only = models.BooleanField(
        _("repeat orders only"),
        default=True,
        help_text=_("Every part number of the order was on an earlier released order of the same customer."),
    )
    below_amount = models.DecimalField(
        _("order value below"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Every line priced, in the rule's currency, and the total below this; empty: any value."),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(
        _("sort order"), default=0, help_text=_("The first that applies counts.")
    )

    class Meta:
        verbose_name = _("approval rule (deputy GM's approval suffices)")
        verbose_name_plural = _("approval rules (deputy GM's approval suffices)")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(below_amount__isnull=True) | Q(below_amount__gt=0), name="orders_rule_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(repeat_orders_only=True) | Q(below_amount__isnull=False),
                name="orders_rule_limits_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.description()})"

    def description(self) -> str:
        """What the rule lets through, in the reader's language."""
        parts = []
        if self.repeat_orders_only:
            parts.append(gettext("repeat order of existing products"))
        if self.below_amount is not None:
            parts.append(
                gettext("total below %(amount)s %(currency)s")
                % {"amount": f"{self.below_amount:,.2f}", "currency": self.currency}
            )
        return list_text(parts)

    def applies_to(self, order: Order, lines: list[OrderLine], known_parts: set[str]) -> bool:
        """Whether the order qualifies: `lines` are its lines in force, `known_parts` the part numbers
        of the customer's earlier released orders."""
        if not self.active or not lines:
            return False
        if self.repeat_orders_only and any(line.part_number not in known_parts for line in lines):
            return False
        if self.below_amount is not None:
            if any(line.unit_price is None or line.currency != self.currency for line in lines):
                return False
            if sum(line.quantity * line.unit_price for line in lines) >= self.below_amount:
                return False
        return True


class Order(WorkflowRecord):
    flow = ORDER_FLOW

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    po_number = models.CharField(_("customer PO number"), max_length=40)
    po_date = models.DateField(_("PO date"))
    req_cost = models.CharField(
        RequirementItem.COST.label, max_length=10, choices=RequirementStatus.choices, blank=True
    )
    req_cost_note = models.CharField(_("cost: details"), max_length=255, blank=True)
    req_materials = models.CharField(
        RequirementItem.MATERIALS.label, max_length=10, choices=RequirementStatus.choices, blank=True
    )
    req_materials_note = models.CharField(_("materials: details"), max_length=255, blank=True)
    req_methods = models.CharField(
        RequirementItem.METHODS.label, max_length=10, choices=RequirementStatus.choices, blank=True
    )
    req_methods_note = models.CharField(_("methods of making: details"), max_length=255, blank=True)
    req_special = models.CharField(
        RequirementItem.SPECIAL.label, max_length=10, choices=RequirementStatus.choices, blank=True
    )
    req_special_note = models.CharField(_("special requirements: details"), max_length=255, blank=True)
    req_services = models.CharField(
        RequirementItem.SERVICES.label, max_length=10, choices=RequirementStatus.choices, blank=True
    )
    req_services_note = models.CharField(_("product-related services: details"), max_length=255, blank=True)
    req_statutory = models.CharField(
        RequirementItem.STATUTORY.label, max_length=10, choices=RequirementStatus.choices, blank=True
    )
    req_statutory_note = models.CharField(_("statutory and regulatory: details"), max_length=255, blank=True)
    certified_data_discrepancy = models.BooleanField(
        _("differs from or changes the customer's certified data"), default=False
    )
    discrepancy_description = models.TextField(_("discrepancy from the certified data"), blank=True)
    discrepancy_report_sent_on = models.DateField(_("written report sent on"), null=True, blank=True, editable=False)
    discrepancy_report_channel = models.CharField(
        _("written report sent by"), max_length=10, choices=Channel.choices, blank=True, editable=False
    )
    remarks = models.TextField(_("remarks"), blank=True)
    committed_date = models.DateField(_("committed delivery date"), null=True, blank=True, editable=False)
    committed_justification = models.TextField(
        _("justification for a date earlier than the lead times allow"), blank=True, editable=False
    )
    confirmed_on = models.DateField(_("date confirmed to the customer on"), null=True, blank=True, editable=False)
    # 3.5: the rule that let the deputy GM's approval suffice, captured with that approval.
    approval_rule = models.ForeignKey(
        ApprovalRule,
        verbose_name=_("the deputy GM's approval sufficed by the rule"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="orders",
    )

    # The earliest requested date of the order's lines, kept by the services that write lines
    # (order_first_requested_refresh) so that the list sorts by it through an index. Bookkeeping: not
    # hashed, not shown as a change.
    first_requested = models.DateField(_("first requested delivery date"), null=True, blank=True, editable=False)

    BOOKKEEPING_FIELDS = WorkflowRecord.BOOKKEEPING_FIELDS | {"first_requested"}

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        permissions = [("view_prices", _("Can see order prices"))]
        indexes = [
            # The lists' default order (newest first) and the sorts they offer, each with the tie-break.
            models.Index(F("created_at").desc(), F("id").desc(), name="orders_order_created_idx"),
            models.Index(F("first_requested").asc(), F("id").desc(), name="orders_order_first_req_idx"),
            models.Index(F("committed_date").asc(), F("id").desc(), name="orders_order_committed_idx"),
            models.Index(F("po_date").asc(), F("id").desc(), name="orders_order_po_date_idx"),
            models.Index(F("customer_id"), F("created_at").desc(), name="orders_order_cust_created_idx"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("orders:order_detail", args=[self.pk])

    def record_title(self) -> str:
        return f"{self.customer.code} PO {self.po_number}"

    def requirement_rows(self):
        """(item label, status value, status label, note) per item of 4.1.1."""
        rows = []
        for item in RequirementItem:
            value = getattr(self, f"req_{item.value}")
            rows.append(
                (item, value, getattr(self, f"get_req_{item.value}_display")(), getattr(self, f"req_{item.value}_note"))
            )
        return rows

    def content_for_hash(self) -> dict:
        data = super().content_for_hash()
        # Data added after orders were first signed is hashed only once set, so that what was signed
        # before it existed still verifies.
        if data.get("approval_rule_id") is None:
            data.pop("approval_rule_id", None)
        lines = []
        for line in self.lines.order_by("pk").values(
            "part_number", "description", "quantity", "unit", "unit_price", "currency", "requested_date", "cancelled"
        ):
            if not line["cancelled"]:
                del line["cancelled"]
            lines.append(line)
        data["lines"] = lines
        data["bom"] = list(
            self.bom_lines.order_by("pk").values("part_number", "quantity_per_unit", "source", "lead_time_days")
        )
        data["clarifications"] = list(
            self.clarifications.order_by("pk").values("topic", "question", "answer", "confirmation_id")
        )
        return data

    def longest_lead_time(self) -> int:
        times = [b.lead_time_days or 0 for b in self.bom_lines.all() if b.source != MaterialSource.MAKE]
        return max(times, default=0)

    def earliest_allowed_date(self):
        return self.po_date + timedelta(days=self.longest_lead_time())

    def lead_time_summary(self) -> str:
        """The sentence under the BOM (order page, review sheet): the longest lead time once known, else
        what it waits for; in the reader's language."""
        bom = list(self.bom_lines.all())
        if not bom:
            return gettext("Material lead time: waiting for Engineering's BOM.")
        missing = [b.part_number for b in bom if b.needs_lead_time and b.lead_time_days is None]
        if missing:
            return ngettext(
                "Material lead time: waiting for Purchasing, the lead time of %(parts)s is not given yet.",
                "Material lead time: waiting for Purchasing, the lead times of %(parts)s are not given yet.",
                len(missing),
            ) % {"parts": list_text(missing)}
        days = max((b.lead_time_days for b in bom if b.needs_lead_time), default=None)
        if days is None:
            return gettext(
                "Nothing is bought or outsourced: no material lead time (0 days); earliest delivery without a "
                "justification: %(date)s."
            ) % {"date": f"{self.po_date:%Y-%m-%d}"}
        return gettext(
            "Longest material lead time: %(days)s days; earliest delivery without a justification: %(date)s."
        ) % {"days": days, "date": f"{self.po_date + timedelta(days=days):%Y-%m-%d}"}

    # --- deliveries ---------------------------------------------------------------------------------

    def lines_in_force(self) -> list[OrderLine]:
        """The order's lines, without those a change notice cancelled (read through the prefetch)."""
        return [line for line in self.lines.all() if not line.cancelled]

    def _shipments_prefetched(self) -> bool:
        lines = getattr(self, "_prefetched_objects_cache", {}).get("lines")
        return lines is not None and all("shipments" in getattr(li, "_prefetched_objects_cache", {}) for li in lines)

    def shipping_progress(self) -> tuple[bool, bool]:
        """(anything shipped, every line shipped in full): from the prefetched shipments when the page has
        them (no query), else one query."""
        if self._shipments_prefetched():
            rows = [
                (li.quantity, sum((s.quantity for s in li.shipments.all()), Decimal(0))) for li in self.lines_in_force()
            ]
        else:
            rows = list(
                OrderLine.objects.filter(order=self, cancelled=False)
                .order_by()
                .annotate(shipped=Coalesce(Sum("shipments__quantity"), Decimal(0), output_field=QUANTITY_FIELD))
                .values_list("quantity", "shipped")
            )
        shipped_any = any(shipped > 0 for _ordered, shipped in rows)
        shipped_all = bool(rows) and all(shipped >= ordered for ordered, shipped in rows)
        return shipped_any, shipped_all

    def delivery(self, today: date | None = None) -> OrderDelivery:
        """What was delivered against the committed date, line by line (read the lines with their
        shipments prefetched: see orders.selectors.with_shipments)."""
        return OrderDelivery(
            lines=[line.delivery() for line in self.lines_in_force()],
            committed_date=self.committed_date,
            today=today or timezone.localdate(),
        )


class OrderLine(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    part_number = models.CharField(_("part number"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=10, default="pcs")
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=4, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    requested_date = models.DateField(_("requested delivery date"))
    # Set by an issued change notice: the line stays on record, struck through, and is no longer delivered.
    cancelled = models.BooleanField(_("cancelled"), default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.part_number} × {self.quantity}"

    @property
    def amount(self):
        return None if self.unit_price is None else self.quantity * self.unit_price

    @property
    def position(self) -> int | None:
        """The line's number within its order (1, 2 …), when the page computed it."""
        return getattr(self, "_position", None)

    def delivery(self) -> LineDelivery:
        """Shipped so far and the day the line was shipped in full, from its (prefetched) shipments.

        A reversing entry carries the date of the delivery it corrects, so the day the line was completed
        is read in shipping order: the last shipment after which the line stayed shipped in full.
        """
        shipped = Decimal(0)
        completed_on = None
        entries = sorted(self.shipments.all(), key=lambda s: (s.shipped_on, s.entered_at, s.pk))
        for entry in entries:
            shipped += entry.quantity
            if shipped >= self.quantity:
                completed_on = completed_on or entry.shipped_on
            else:
                completed_on = None
        return LineDelivery(line=self, shipped=shipped, fully_shipped_on=completed_on, entries=entries)


class BomLine(models.Model):
    """Engineering's bill of materials for the order; Purchasing adds the lead time of what is bought."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="bom_lines")
    part_number = models.CharField(_("material / part"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity_per_unit = models.DecimalField(_("quantity per unit"), max_digits=12, decimal_places=4)
    source = models.CharField(_("make / buy / outsource"), max_length=10, choices=MaterialSource.choices)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), null=True, blank=True)
    lead_time_note = models.CharField(_("supplier / lead-time note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("BOM line")
        verbose_name_plural = _("BOM lines")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.part_number

    @property
    def needs_lead_time(self) -> bool:
        return self.source != MaterialSource.MAKE


class Clarification(models.Model):
    """An unclear point raised with the customer (NH-QP14 4.1.2): production waits for the written answer."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="clarifications")
    topic = models.CharField(_("requirement"), max_length=10, choices=RequirementItem.choices)
    question = models.TextField(_("question to the customer"))
    channel = models.CharField(_("sent by"), max_length=10, choices=Channel.choices)
    sent_on = models.DateField(_("sent on"))
    answer = models.TextField(_("customer's answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    confirmation = models.ForeignKey(
        "workflow.Attachment",
        verbose_name=_("written confirmation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.question[:60]

    @property
    def is_confirmed(self) -> bool:
        return bool(self.answer) and self.confirmation_id is not None


QUANTITY_FIELD = models.DecimalField(max_digits=14, decimal_places=3)


@dataclass(frozen=True)
class LineDelivery:
    """One order line's deliveries: how much was shipped, and when it was shipped in full."""

    line: OrderLine
    shipped: Decimal
    fully_shipped_on: date | None
    entries: list

    @property
    def ordered(self) -> Decimal:
        return self.line.quantity

    @property
    def open(self) -> Decimal:
        return max(self.line.quantity - self.shipped, Decimal(0))

    @property
    def over(self) -> Decimal:
        return max(self.shipped - self.line.quantity, Decimal(0))

    @property
    def complete(self) -> bool:
        return self.fully_shipped_on is not None

    def on_time(self, committed_date: date | None, today: date) -> bool | None:
        """Shipped in full on or before the committed date: True, False, or None while it cannot be
        told yet (not shipped in full, the date not passed) or without a committed date."""
        if committed_date is None:
            return None
        if self.fully_shipped_on is not None:
            return self.fully_shipped_on <= committed_date
        return False if committed_date < today else None


@dataclass(frozen=True)
class OrderDelivery:
    """An order's deliveries against its committed (customer-confirmed) date."""

    lines: list[LineDelivery]
    committed_date: date | None
    today: date

    @property
    def shipped_any(self) -> bool:
        return any(li.shipped > 0 for li in self.lines)

    @property
    def complete(self) -> bool:
        return bool(self.lines) and all(li.complete for li in self.lines)

    @property
    def fully_shipped_on(self) -> date | None:
        """The day of the shipment that completed the order (its last line to be shipped in full)."""
        if not self.complete:
            return None
        return max(li.fully_shipped_on for li in self.lines)

    @property
    def on_time(self) -> bool | None:
        """Every line shipped in full on or before the committed date (None: cannot be told yet)."""
        if self.committed_date is None:
            return None
        if self.complete:
            return self.fully_shipped_on <= self.committed_date
        return False if self.committed_date < self.today else None

    @property
    def overdue(self) -> bool:
        """The committed date passed without the order being shipped in full."""
        return self.committed_date is not None and self.committed_date < self.today and not self.complete

    def line_rows(self) -> list[tuple[LineDelivery, bool | None]]:
        return [(li, li.on_time(self.committed_date, self.today)) for li in self.lines]


class ShipmentQuerySet(models.QuerySet):
    """Shipments are facts: a wrong one is corrected by a reversing entry, never changed or deleted."""

    def update(self, **kwargs):
        raise PermissionError("Shipments are never changed: record a reversing entry.")

    def delete(self):
        raise PermissionError("Shipments are never deleted: record a reversing entry.")


class Shipment(models.Model):
    """What was delivered of an order line: one row per line of a delivery note (送货单).

    Append-only: a row is written once and never changed or deleted (the model, its querysets, the admin
    and, on PostgreSQL, a trigger refuse). A wrong entry is corrected by a reversing entry: a negative
    quantity that names the entry it corrects and says why.
    """

    line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="shipments"
    )
    shipped_on = models.DateField(_("shipped on"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    delivery_note = models.CharField(_("delivery note number"), max_length=40)
    lot = models.CharField(_("lot / batch number"), max_length=40, blank=True)
    over_delivery = models.BooleanField(_("over-delivery accepted by the customer"), default=False)
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
    )
    reason = models.CharField(
        _("reason"),
        max_length=255,
        blank=True,
        help_text=_("Why an entry is reversed, or why the customer accepted more."),
    )
    remark = models.CharField(_("remark"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=ShipmentSource.choices, default=ShipmentSource.HAND)
    source_file = models.CharField(_("imported from"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now, editable=False)

    objects = ShipmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-shipped_on", "-entered_at", "-pk"]
        indexes = [
            models.Index(fields=["delivery_note"], name="orders_ship_note_idx"),
            models.Index(fields=["shipped_on"], name="orders_ship_date_idx"),
        ]
        constraints = [
            # A delivery is positive; only a reversing entry is negative, and it names what it reverses.
            models.CheckConstraint(
                condition=Q(quantity__gt=0, reverses__isnull=True) | Q(quantity__lt=0, reverses__isnull=False),
                name="orders_shipment_sign",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(reason=""), name="orders_shipment_reversal_reason"
            ),
            models.CheckConstraint(
                condition=Q(over_delivery=False) | ~Q(reason=""), name="orders_shipment_over_delivery_reason"
            ),
            models.CheckConstraint(condition=~Q(delivery_note=""), name="orders_shipment_delivery_note"),
            models.CheckConstraint(
                condition=Q(source=ShipmentSource.HAND) | ~Q(source_file=""), name="orders_shipment_source_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_note} · {self.line.part_number} × {self.quantity.normalize():f}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Shipments are never changed: record a reversing entry.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Shipments are never deleted: record a reversing entry.")


# --- change notices 生产订单/计划表更改通知单 (NH-QP14 4.3) -------------------------------------------------


class ChangeNotice(WorkflowRecord):
    """A change the customer asks for on a released (or partly shipped) order, reviewed and approved up to
    the GM for a price, then applied to the order (see orders/flow.py)."""

    flow = CHANGE_NOTICE_FLOW

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="change_notices")
    reason = models.TextField(_("reason for the change"), blank=True)
    customer_request_on = models.DateField(_("customer's written request dated"), null=True, blank=True)
    # Whether a price changes (a unit price, a line added with its price): the GM approves those.
    price_changed = models.BooleanField(_("a price changes"), default=False, editable=False)
    negotiation = models.TextField(_("outcome negotiated with the customer"), blank=True, editable=False)

    class Meta:
        verbose_name = _("change notice")
        verbose_name_plural = _("change notices")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(F("created_at").desc(), F("id").desc(), name="orders_change_created_idx")]

    def get_absolute_url(self) -> str:
        return reverse("orders:change_detail", args=[self.pk])

    def record_title(self) -> str:
        return f"{self.order.number} · {self.order.customer.code} PO {self.order.po_number}"

    def content_for_hash(self) -> dict:
        data = super().content_for_hash()
        data["items"] = list(
            self.items.order_by("pk").values(
                "kind",
                "line_id",
                "old_quantity",
                "new_quantity",
                "old_unit_price",
                "new_unit_price",
                "old_date",
                "new_date",
                "old_text",
                "new_text",
                "part_number",
                "description",
                "unit",
                "currency",
            )
        )
        return data


class ChangeItem(models.Model):
    """One change of a notice. The old value is read from the order when the item is written (never typed)
    and must still be the order's when the notice is issued; the new value is what the customer asked."""

    notice = models.ForeignKey(
        ChangeNotice, verbose_name=_("change notice"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("change"), max_length=20, choices=ChangeKind.choices)
    line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    old_quantity = models.DecimalField(_("old quantity"), max_digits=12, decimal_places=3, null=True, blank=True)
    new_quantity = models.DecimalField(_("new quantity"), max_digits=12, decimal_places=3, null=True, blank=True)
    old_unit_price = models.DecimalField(_("old unit price"), max_digits=12, decimal_places=4, null=True, blank=True)
    new_unit_price = models.DecimalField(_("new unit price"), max_digits=12, decimal_places=4, null=True, blank=True)
    old_date = models.DateField(_("old date"), null=True, blank=True)
    new_date = models.DateField(_("new date"), null=True, blank=True)
    old_text = models.TextField(_("old text"), blank=True)
    new_text = models.TextField(_("new text"), blank=True)
    # A line added: its part, description, unit and currency (quantity, price and date above, as new values).
    part_number = models.CharField(_("part number"), max_length=60, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["notice", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.line or self.part_number or ''}".strip()

    @property
    def is_price(self) -> bool:
        """Shows a price: only for those who may see order prices."""
        return self.kind == ChangeKind.UNIT_PRICE or (
            self.kind == ChangeKind.ADD_LINE and self.new_unit_price is not None
        )

    @property
    def order_field(self) -> str | None:
        """The order's field a text change amends."""
        return TEXT_KINDS.get(self.kind)


class ChangeAck(WorkflowRecord):
    """A department's acknowledgement of receipt of an issued change notice, numbered within it."""

    flow = CHANGE_ACK_FLOW

    notice = models.ForeignKey(
        ChangeNotice, verbose_name=_("change notice"), on_delete=models.PROTECT, related_name="acknowledgements"
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("acknowledgement of a change notice")
        verbose_name_plural = _("acknowledgements of change notices")
        ordering = ["notice", "pk"]
        constraints = [models.UniqueConstraint(fields=["notice", "department"], name="orders_ack_once_per_department")]

    def get_absolute_url(self) -> str:
        return reverse("orders:change_ack_detail", args=[self.pk])

    def record_title(self) -> str:
        return f"{self.department} · {self.notice.order.number}"


# --- delay notices (NH-QP14 4.4) ------------------------------------------------------------------------


class DelayNotice(WorkflowRecord):
    """Planning tells sales in writing that orders of one customer cannot be delivered on their committed
    dates; the proposed dates take effect once the customer confirmed them in writing."""

    flow = DELAY_NOTICE_FLOW

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="delay_notices"
    )
    reason = models.TextField(_("reason the dates cannot be met"), blank=True)
    negotiation = models.TextField(_("negotiation with the customer"), blank=True, editable=False)
    # The link through which the customer may confirm the proposed dates (nhcs.links), while it is current.
    link = models.ForeignKey(
        "links.CustomerLink",
        verbose_name=_("confirmation link"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("delay notice")
        verbose_name_plural = _("delay notices")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(F("created_at").desc(), F("id").desc(), name="orders_delay_created_idx")]

    def get_absolute_url(self) -> str:
        return reverse("orders:delay_detail", args=[self.pk])

    def record_title(self) -> str:
        return self.customer.code

    def content_for_hash(self) -> dict:
        data = super().content_for_hash()
        # The link given out is how the customer answers, not what was signed.
        data.pop("link_id", None)
        data["items"] = list(self.items.order_by("pk").values("order_id", "original_date", "proposed_date"))
        return data


class DelayItem(models.Model):
    """One order of a delay notice: its committed date (read from the order) and the proposed one."""

    notice = models.ForeignKey(
        DelayNotice, verbose_name=_("delay notice"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="delay_items")
    original_date = models.DateField(_("committed date"))
    proposed_date = models.DateField(_("proposed date"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("order of a delay notice")
        verbose_name_plural = _("orders of delay notices")
        ordering = ["notice", "pk"]
        constraints = [models.UniqueConstraint(fields=["notice", "order"], name="orders_delay_order_once")]

    def __str__(self) -> str:
        return f"{self.order} {self.original_date} → {self.proposed_date}"
