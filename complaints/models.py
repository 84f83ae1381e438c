"""The customer complaint record (顾客投诉记录表, NH-QP14 4.6) and what belongs to it: the defect catalogue,
the complaint's costs and its links to earlier complaints it repeats.

A complaint names the delivery it is about by the key of nhcs.deliveries (never by importing orders) and
keeps a copy of that delivery's order number, part, lot and delivery note. What the flow's actions capture
(investigators, containment, root cause, verification, replies, effectiveness) is written by those actions
(complaints/actions.py) and signed with them: those fields are not editable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nhcs.workflow.models import WorkflowRecord

from .choices import Category, ComplaintChannel, CostKind, Severity, SixM
from .flow import COMPLAINT_FLOW

QUANTITY = {"max_digits": 12, "decimal_places": 3, "null": True, "blank": True}


class DefectType(models.Model):
    """The bilingual catalogue of defects (kept in the admin): what the Pareto analysis counts."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("defect")
        verbose_name_plural = _("defect catalogue")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        return self.name_in(get_language() or "zh-hans")

    def name_in(self, language: str) -> str:
        if (language or "").startswith("zh"):
            return self.name_zh or self.name_en
        return self.name_en or self.name_zh


class Complaint(WorkflowRecord):
    flow = COMPLAINT_FLOW

    # --- registration (4.6.1) -----------------------------------------------------------------------
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_detail = models.CharField(_("contact's phone or e-mail"), max_length=120, blank=True)
    channel = models.CharField(_("received by"), max_length=10, choices=ComplaintChannel.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    call_notes = models.TextField(
        _("write-up of the phone call"),
        blank=True,
        help_text=_("A phone complaint is written up by whoever took the call: who called, when, what was said."),
    )
    # The delivery complained about, as nhcs.deliveries names it, and a copy of what identifies it.
    delivery_key = models.CharField(_("delivery"), max_length=40, blank=True, editable=False)
    order_number = models.CharField(_("order number"), max_length=40, blank=True, editable=False)
    delivery_note = models.CharField(_("delivery note"), max_length=40, blank=True, editable=False)
    shipped_on = models.DateField(_("shipped on"), null=True, blank=True, editable=False)
    part_number = models.CharField(_("product (part number)"), max_length=60, blank=True)
    lot = models.CharField(_("lot / batch"), max_length=40, blank=True)
    quantity_delivered = models.DecimalField(_("quantity delivered"), **QUANTITY)
    quantity_affected = models.DecimalField(_("quantity affected"), **QUANTITY)
    quantity_returned = models.DecimalField(_("quantity returned"), **QUANTITY)
    rma_number = models.CharField(_("RMA number"), max_length=40, blank=True)
    description = models.TextField(_("description of the complaint"))
    customer_request = models.TextField(_("customer's request"), blank=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    defect = models.ForeignKey(
        DefectType, verbose_name=_("defect"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MAJOR)
    report_8d_requested = models.BooleanField(_("the customer asks for an 8D report"), default=False)
    # From the customer's service terms, in working days of the company calendar.
    reply_due_on = models.DateField(_("first reply due on"), null=True, blank=True, editable=False)
    report_8d_due_on = models.DateField(_("8D report due on"), null=True, blank=True, editable=False)

    # --- captured by the flow's actions -------------------------------------------------------------
    investigators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("investigators"), blank=True, related_name="complaints_investigated"
    )
    containment = models.TextField(_("containment actions"), blank=True, editable=False)
    contained_on = models.DateField(_("contained on"), null=True, blank=True, editable=False)
    why_1 = models.TextField(_("why? (1)"), blank=True, editable=False)
    why_2 = models.TextField(_("why? (2)"), blank=True, editable=False)
    why_3 = models.TextField(_("why? (3)"), blank=True, editable=False)
    why_4 = models.TextField(_("why? (4)"), blank=True, editable=False)
    why_5 = models.TextField(_("why? (5)"), blank=True, editable=False)
    cause_man = models.TextField(SixM.MAN.label, blank=True, editable=False)
    cause_machine = models.TextField(SixM.MACHINE.label, blank=True, editable=False)
    cause_material = models.TextField(SixM.MATERIAL.label, blank=True, editable=False)
    cause_method = models.TextField(SixM.METHOD.label, blank=True, editable=False)
    cause_measurement = models.TextField(SixM.MEASUREMENT.label, blank=True, editable=False)
    cause_environment = models.TextField(SixM.ENVIRONMENT.label, blank=True, editable=False)
    cause_category = models.CharField(
        _("category of the root cause (6M)"), max_length=12, choices=SixM.choices, blank=True, editable=False
    )
    root_cause = models.TextField(_("root cause"), blank=True, editable=False)
    actions_due_on = models.DateField(_("actions due on"), null=True, blank=True, editable=False)
    first_replied_on = models.DateField(_("first reply on"), null=True, blank=True, editable=False)
    first_reply_channel = models.CharField(
        _("first reply by"), max_length=10, choices=ComplaintChannel.choices, blank=True, editable=False
    )
    verification_report = models.TextField(_("verification report"), blank=True, editable=False)
    verified_on = models.DateField(_("verified on"), null=True, blank=True, editable=False)
    effectiveness_criterion = models.CharField(_("effectiveness criterion"), max_length=200, blank=True, editable=False)
    effectiveness_check_on = models.DateField(
        _("effectiveness checked on or after"), null=True, blank=True, editable=False
    )
    replied_on = models.DateField(_("replied on"), null=True, blank=True, editable=False)
    reply_channel = models.CharField(
        _("replied by"), max_length=10, choices=ComplaintChannel.choices, blank=True, editable=False
    )
    reply_summary = models.TextField(_("reply to the customer"), blank=True, editable=False)
    effectiveness_result = models.TextField(_("effectiveness found"), blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    # When Quality last found the actions not effective: the investigation then starts again.
    reopened_at = models.DateTimeField(_("investigation reopened at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("customer complaint")
        verbose_name_plural = _("customer complaints")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "received_at"], name="complaint_customer_idx"),
            models.Index(fields=["part_number"], name="complaint_part_idx"),
            # The log's default order (newest first), with its tie-break.
            models.Index(models.F("received_at").desc(), models.F("id").desc(), name="complaint_received_idx"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("complaints:complaint_detail", args=[self.pk])

    def record_title(self) -> str:
        parts = [self.customer.code, self.part_number, (self.description or "").splitlines()[0][:60]]
        return " · ".join(p for p in parts if p)

    def content_for_hash(self) -> dict:
        data = super().content_for_hash()
        data["investigators"] = sorted(self.investigators.values_list("pk", flat=True)) if self.pk else []
        return data

    @property
    def received_on(self):
        return timezone.localtime(self.received_at).date() if self.received_at else None

    @property
    def whys(self) -> list[str]:
        """The 5-Why chain as written (the empty tail left out)."""
        return [w for w in (self.why_1, self.why_2, self.why_3, self.why_4, self.why_5) if w]

    @property
    def six_m(self) -> list[tuple[str, str, str]]:
        """(code, label, findings) of each 6M category the investigators wrote something for."""
        return [
            (m.value, str(m.label), getattr(self, f"cause_{m.value}"))
            for m in SixM
            if getattr(self, f"cause_{m.value}")
        ]

    def first_reply_late(self, today=None) -> bool:
        """The first reply was due and is not recorded (or came after its due date)."""
        if self.reply_due_on is None:
            return False
        if self.first_replied_on is not None:
            return self.first_replied_on > self.reply_due_on
        return self.reply_due_on < (today or timezone.localdate()) and not self.is_final


class ComplaintCost(models.Model):
    """What the complaint cost (rework, replacement, freight, credit …), one row per cost, in CNY.

    Rows of their own, outside the complaint's signed data: costs come in while the complaint runs."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="costs"
    )
    kind = models.CharField(_("cost"), max_length=12, choices=CostKind.choices)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    incurred_on = models.DateField(_("date"), default=timezone.localdate)
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint cost")
        verbose_name_plural = _("complaint costs")
        ordering = ["incurred_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="complaint_cost_positive",
                violation_error_message=_("The amount of a cost is more than 0."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class ComplaintLink(models.Model):
    """This complaint repeats an earlier one (recurrence): the list marks it as a repeat."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="links"
    )
    earlier = models.ForeignKey(
        Complaint, verbose_name=_("earlier complaint"), on_delete=models.PROTECT, related_name="repeated_by"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("linked by"), on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("repeated complaint")
        verbose_name_plural = _("repeated complaints")
        ordering = ["earlier__received_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "earlier"], name="complaint_link_once"),
            models.CheckConstraint(condition=~Q(complaint=models.F("earlier")), name="complaint_link_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.earlier_id}"
