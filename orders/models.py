from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nhcs.workflow.flow import list_text
from nhcs.workflow.models import WorkflowRecord

from .choices import (
    Channel,
    Currency,
    MaterialSource,
    RequirementItem,
    RequirementStatus,
    ShipmentSource,
)
from .flow import ORDER_FLOW

REQUIREMENT_FIELDS = [f"req_{item.value}" for item in RequirementItem]


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

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        permissions = [("view_prices", _("Can see order prices"))]

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
        data["lines"] = list(
            self.lines.order_by("pk").values(
                "part_number", "description", "quantity", "unit", "unit_price", "currency", "requested_date"
            )
        )
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

    def _shipments_prefetched(self) -> bool:
        lines = getattr(self, "_prefetched_objects_cache", {}).get("lines")
        return lines is not None and all("shipments" in getattr(li, "_prefetched_objects_cache", {}) for li in lines)

    def shipping_progress(self) -> tuple[bool, bool]:
        """(anything shipped, every line shipped in full): from the prefetched shipments when the page has
        them (no query), else one query."""
        if self._shipments_prefetched():
            rows = [(li.quantity, sum((s.quantity for s in li.shipments.all()), Decimal(0))) for li in self.lines.all()]
        else:
            rows = list(
                OrderLine.objects.filter(order=self)
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
            lines=[line.delivery() for line in self.lines.all()],
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
