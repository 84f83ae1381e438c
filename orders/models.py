from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
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
