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

from .choices import (
    AckChannel,
    Category,
    ComplaintChannel,
    CostKind,
    CustomerMeasure,
    FeedbackSource,
    Sentiment,
    Severity,
    SixM,
)
from .flow import ACK_FLOW, ADVISORY_FLOW, COMPLAINT_FLOW, FEEDBACK_FLOW

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
    # The after-sales feedback this complaint was raised from (its data copied at registration).
    from_feedback = models.OneToOneField(
        "complaints.Feedback",
        verbose_name=_("raised from the feedback"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="complaint",
    )

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


# --- after-sales feedback (Quality Information Feedback, NH-QP14 4.5) ----------------------------------


class Feedback(WorkflowRecord):
    """What a customer says after delivery: praise, remarks, problems. A negative one may become a
    complaint (its data copied, linked both ways) or a corrective action for a department; the comments
    of satisfaction answers arrive here too (nhcs.customers.opinions), once each (`origin_key`)."""

    flow = FEEDBACK_FLOW

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="feedbacks"
    )
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_detail = models.CharField(_("contact's phone or e-mail"), max_length=120, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=FeedbackSource.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    order_number = models.CharField(_("order number"), max_length=40, blank=True)
    part_number = models.CharField(_("product (part number)"), max_length=60, blank=True)
    lot = models.CharField(_("lot / batch"), max_length=40, blank=True)
    sentiment = models.CharField(_("tone"), max_length=10, choices=Sentiment.choices, default=Sentiment.NEUTRAL)
    text = models.TextField(_("what the customer said"))
    # Where it came from when another area passed it on (a survey answer's comment): once per origin.
    origin_key = models.CharField(_("origin"), max_length=60, null=True, blank=True, unique=True, editable=False)
    origin_reference = models.CharField(_("origin reference"), max_length=60, blank=True, editable=False)
    origin_url = models.CharField(_("origin page"), max_length=200, blank=True, editable=False)
    # Captured by the "close" action: what was done about it.
    outcome = models.TextField(_("what was done"), blank=True, editable=False)

    class Meta:
        verbose_name = _("after-sales feedback")
        verbose_name_plural = _("after-sales feedback")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["customer", "received_at"], name="feedback_customer_idx")]

    def get_absolute_url(self) -> str:
        return reverse("complaints:feedback_detail", args=[self.pk])

    def record_title(self) -> str:
        parts = [self.customer.code, (self.text or "").splitlines()[0][:60] if self.text else ""]
        return " · ".join(p for p in parts if p)


# --- advisory notices (忠告性通知, NH-QP14 4.5) -------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [x.strip() for x in (text or "").replace(",", "\n").replace("，", "\n").splitlines() if x.strip()]


class AdvisoryNotice(WorkflowRecord):
    """An advisory notice to the customers of affected products or lots: what they must do and by when;
    approved by the Quality head and the deputy GM in charge, then sent to the chosen customers, each of
    whom acknowledges it (AdvisoryAck, child records)."""

    flow = ADVISORY_FLOW

    subject = models.CharField(_("subject"), max_length=200)
    reason = models.TextField(_("what was found"), help_text=_("The problem and the risk, as the customer reads it."))
    parts = models.TextField(
        _("affected products (part numbers)"), blank=True, help_text=_("One per line (or separated by commas).")
    )
    lots = models.TextField(_("affected lots"), blank=True, help_text=_("One per line (or separated by commas)."))
    measure = models.CharField(_("what the customers must do"), max_length=10, choices=CustomerMeasure.choices)
    instructions = models.TextField(_("instructions to the customers"), blank=True)
    respond_by = models.DateField(_("deadline"), help_text=_("The customers act and acknowledge by this day."))
    shipped_from = models.DateField(_("shipped from"), null=True, blank=True)
    shipped_to = models.DateField(_("shipped to"), null=True, blank=True)
    sent_on = models.DateField(_("sent on"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("advisory notice")
        verbose_name_plural = _("advisory notices")
        ordering = ["-created_at", "-pk"]

    def get_absolute_url(self) -> str:
        return reverse("complaints:advisory_detail", args=[self.pk])

    def record_title(self) -> str:
        return self.subject

    @property
    def part_list(self) -> list[str]:
        return _lines(self.parts)

    @property
    def lot_list(self) -> list[str]:
        return _lines(self.lots)


class AdvisoryAck(WorkflowRecord):
    """One customer an advisory notice was sent to, and their acknowledgement: online through their link
    (nhcs.links), or recorded by Sales (phone, e-mail …) with the customer's reply attached; or why the
    customer does not acknowledge."""

    flow = ACK_FLOW

    notice = models.ForeignKey(
        AdvisoryNotice, verbose_name=_("advisory notice"), on_delete=models.PROTECT, related_name="acknowledgements"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="advisory_acks"
    )
    respond_by = models.DateField(_("deadline"), null=True, blank=True, editable=False)
    link = models.OneToOneField(
        "links.CustomerLink",
        verbose_name=_("acknowledgement link"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="advisory_ack",
    )
    # Captured with the acknowledgement (or the reason why none comes).
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True, editable=False)
    acknowledged_by = models.CharField(_("acknowledged by (customer)"), max_length=80, blank=True, editable=False)
    channel = models.CharField(
        _("acknowledged by way of"), max_length=10, choices=AckChannel.choices, blank=True, editable=False
    )
    reply = models.TextField(_("customer's reply"), blank=True, editable=False)
    reason = models.TextField(_("why not acknowledged"), blank=True, editable=False)

    class Meta:
        verbose_name = _("acknowledgement of an advisory notice")
        verbose_name_plural = _("acknowledgements of advisory notices")
        ordering = ["notice", "pk"]
        constraints = [models.UniqueConstraint(fields=["notice", "customer"], name="advisory_ack_once")]

    def get_absolute_url(self) -> str:
        return reverse("complaints:advisory_ack_detail", args=[self.pk])

    def record_title(self) -> str:
        return f"{self.customer.code} · {self.notice.subject}"
