"""The customer property register (NH-QP14 4.8): the items customers supply, their incidents of loss or
damage, the periodic counts — workflow records — and the movement ledger, append-only rows outside the
records' signed data."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.workflow.models import WorkflowRecord

from .choices import (
    QUANTITY_KINDS,
    REVISED_KINDS,
    Channel,
    Disposition,
    IncidentKind,
    MovementKind,
    Outcome,
    PropertyKind,
)
from .flow import COUNT_FLOW, INCIDENT_FLOW, ITEM_FLOW

QUANTITY = {"max_digits": 12, "decimal_places": 3}


class Location(models.Model):
    """A place where customer property is kept (a warehouse bin, the mold rack, the drawing cabinet),
    kept in the admin; counts are taken by location."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("storage location")
        verbose_name_plural = _("storage locations")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PropertyItem(WorkflowRecord):
    """One entry of the customer property register (顾客财产登记表): what the customer supplied, in one
    delivery. Its status is its workflow state; its location and quantities come from its ledger."""

    flow = ITEM_FLOW

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="property_items"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PropertyKind.choices)
    name = models.CharField(_("name"), max_length=120)
    customer_asset_number = models.CharField(_("customer's asset number"), max_length=60, blank=True)
    quantity = models.DecimalField(_("quantity received"), **QUANTITY, default=1, validators=[MinValueValidator(0.001)])
    unit = models.CharField(_("unit"), max_length=10, default="pcs")
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    received_from = models.CharField(_("received from"), max_length=120)
    acceptance_criteria = models.TextField(
        _("acceptance criteria"), blank=True, help_text=_("What incoming verification checks it against.")
    )
    storage_requirements = models.TextField(_("storage and preservation requirements"), blank=True)
    # Molds.
    cavity_count = models.PositiveSmallIntegerField(_("cavities"), null=True, blank=True)
    shots_at_receipt = models.PositiveIntegerField(_("shot count at receipt"), null=True, blank=True)
    shot_limit = models.PositiveIntegerField(_("shot limit"), null=True, blank=True)
    # Drawings and film.
    revision = models.CharField(_("revision"), max_length=20, blank=True)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("supersedes (earlier revision)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    remarks = models.TextField(_("remarks"), blank=True)
    # Written by the actions, with their sign-offs.
    nonconformity = models.TextField(_("nonconformity found"), blank=True, editable=False)
    notice_sent_on = models.DateField(_("notice sent on"), null=True, blank=True, editable=False)
    notice_channel = models.CharField(
        _("notice sent by"), max_length=10, choices=Channel.choices, blank=True, editable=False
    )
    disposition = models.CharField(
        _("customer's disposition"), max_length=15, choices=Disposition.choices, blank=True, editable=False
    )
    disposition_on = models.DateField(_("disposition given on"), null=True, blank=True, editable=False)
    reverify = models.BooleanField(_("to be verified again after repair"), default=False, editable=False)

    class Meta:
        verbose_name = _("customer property item")
        verbose_name_plural = _("customer property")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "state"], name="cp_item_kind_state_idx"),
            # The register's default order (newest first), with its tie-break.
            models.Index(models.F("created_at").desc(), models.F("id").desc(), name="cp_item_created_idx"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("customer_property:item_detail", args=[self.pk])

    def get_scan_url(self) -> str:
        return reverse("customer_property:item_scan", args=[self.pk])

    def scan_link(self) -> str:
        """The address its label's QR code opens (the phone page)."""
        return settings.SITE_URL + self.get_scan_url()

    def record_title(self) -> str:
        return f"{self.customer.code} {self.name}"

    @property
    def is_mold(self) -> bool:
        return self.kind == PropertyKind.MOLD

    @property
    def has_revision(self) -> bool:
        return self.kind in REVISED_KINDS

    def clean(self) -> None:
        super().clean()
        if self.kind != PropertyKind.MOLD and (
            self.cavity_count is not None or self.shot_limit is not None or self.shots_at_receipt is not None
        ):
            raise ValidationError({"cavity_count": _("Only a mold has cavities, shots and a shot limit.")})
        if (
            self.shot_limit is not None
            and self.shots_at_receipt is not None
            and self.shots_at_receipt > self.shot_limit
        ):
            raise ValidationError({"shots_at_receipt": _("The shot count at receipt is beyond the shot limit.")})
        if self.supersedes_id is not None:
            old = self.supersedes
            if self.kind not in REVISED_KINDS:
                raise ValidationError({"supersedes": _("Only drawings and film supersede an earlier revision.")})
            if old.pk == self.pk or old.customer_id != self.customer_id or old.kind != self.kind:
                raise ValidationError(
                    {"supersedes": _("The earlier revision must be the same customer's, of the same kind.")}
                )


class Incident(WorkflowRecord):
    """A loss or damage of customer property (4.8.5): what, when, how found, the extent; the customer told
    at once; the outcome negotiated. Numbered within its item (CP-2026-0001/1)."""

    flow = INCIDENT_FLOW

    item = models.ForeignKey(PropertyItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="incidents")
    kind = models.CharField(_("loss or damage"), max_length=8, choices=IncidentKind.choices)
    occurred_on = models.DateField(_("happened on"))
    found_how = models.CharField(_("how it was found"), max_length=200)
    description = models.TextField(_("what happened"))
    extent = models.TextField(_("extent of the loss or damage"))
    quantity = models.DecimalField(_("quantity affected"), **QUANTITY, null=True, blank=True)
    # Written by the actions, with their sign-offs.
    notice_sent_on = models.DateField(_("notice sent on"), null=True, blank=True, editable=False)
    notice_channel = models.CharField(
        _("notice sent by"), max_length=10, choices=Channel.choices, blank=True, editable=False
    )
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices, blank=True, editable=False)
    outcome_on = models.DateField(_("agreed on"), null=True, blank=True, editable=False)
    outcome_details = models.TextField(_("what was agreed"), blank=True, editable=False)
    compensation = models.DecimalField(
        _("compensation amount"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True, editable=False)

    class Meta:
        verbose_name = _("loss or damage")
        verbose_name_plural = _("losses and damages")
        ordering = ["-created_at", "-pk"]

    def get_absolute_url(self) -> str:
        return reverse("customer_property:incident_detail", args=[self.pk])

    def record_title(self) -> str:
        return f"{self.item.number} {self.item.name}"


class StockCount(WorkflowRecord):
    """A periodic count of customer property by location or by customer: counted against the quantity in
    store when the count began; the differences are resolved through the flow."""

    flow = COUNT_FLOW

    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    counted_on = models.DateField(_("counted on"), default=timezone.localdate)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("customer property count")
        verbose_name_plural = _("customer property counts")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(location__isnull=False) | Q(customer__isnull=False), name="cp_count_has_scope"
            )
        ]

    def get_absolute_url(self) -> str:
        return reverse("customer_property:count_detail", args=[self.pk])

    def record_title(self) -> str:
        return " · ".join(x.code for x in (self.location, self.customer) if x)

    def content_for_hash(self) -> dict:
        data = super().content_for_hash()
        data["lines"] = (
            list(self.lines.order_by("pk").values("item_id", "expected", "counted", "note")) if self.pk else []
        )
        return data

    def has_differences(self) -> bool:
        return any(line.difference for line in self.lines.all())


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, verbose_name=_("count"), on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(PropertyItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    expected = models.DecimalField(_("registered in store"), **QUANTITY)
    counted = models.DecimalField(_("counted"), **QUANTITY, null=True, blank=True, validators=[MinValueValidator(0)])
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("count line")
        verbose_name_plural = _("count lines")
        ordering = ["count", "pk"]
        constraints = [models.UniqueConstraint(fields=["count", "item"], name="cp_count_line_item")]

    def __str__(self) -> str:
        return f"{self.count_id} · {self.item_id}"

    @property
    def difference(self):
        return None if self.counted is None else self.counted - self.expected


class MovementQuerySet(models.QuerySet):
    """Movements are facts: never changed, never deleted (a wrong one is corrected by the next count)."""

    def update(self, **kwargs):
        raise PermissionError("Movements are never changed.")

    def delete(self):
        raise PermissionError("Movements are never deleted.")


class Movement(models.Model):
    """One row of an item's ledger: received, issued to production (against an order), back from
    production, consumed, scrapped in production, returned to the customer, scrapped, adjusted by a count,
    moved to a location, a production run's shots, a maintenance.

    Append-only: written once, never changed or deleted (the model, its querysets, the admin and, on
    PostgreSQL, a trigger refuse). Quantities are positive; what a kind does to the stock is in
    choices.STOCK_EFFECT / PRODUCTION_EFFECT; only a count's adjustment carries a sign.
    """

    item = models.ForeignKey(PropertyItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("movement"), max_length=25, choices=MovementKind.choices)
    moved_on = models.DateField(_("date"), default=timezone.localdate)
    quantity = models.DecimalField(_("quantity"), **QUANTITY, default=0)
    shots = models.PositiveIntegerField(_("shots"), null=True, blank=True)
    order_number = models.CharField(_("order number"), max_length=40, blank=True)
    place = models.CharField(_("line / machine / where"), max_length=100, blank=True)
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    attachment = models.ForeignKey(
        "workflow.Attachment",
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signoff = models.ForeignKey(
        "workflow.SignOff", verbose_name=_("action"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now, editable=False)

    objects = MovementQuerySet.as_manager()

    class Meta:
        verbose_name = _("movement")
        verbose_name_plural = _("movements")
        ordering = ["entered_at", "pk"]
        indexes = [models.Index(fields=["item", "kind"], name="cp_movement_item_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k for k in QUANTITY_KINDS if k != MovementKind.ADJUSTED], quantity__gt=0)
                | Q(kind=MovementKind.ADJUSTED, quantity__lt=0)
                | Q(kind=MovementKind.ADJUSTED, quantity__gt=0)
                | Q(kind__in=[MovementKind.MOVED, MovementKind.SHOTS, MovementKind.MAINTENANCE], quantity=0),
                name="cp_movement_quantity",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[MovementKind.SCRAPPED_IN_PRODUCTION, MovementKind.ADJUSTED]) | ~Q(reason=""),
                name="cp_movement_reason",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MovementKind.MOVED) | Q(location__isnull=False), name="cp_movement_location"
            ),
            models.CheckConstraint(condition=~Q(kind=MovementKind.SHOTS) | Q(shots__gt=0), name="cp_movement_shots"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.quantity.normalize():f}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Movements are never changed.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Movements are never deleted.")
