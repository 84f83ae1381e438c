"""The customer register shared by every area: customers, their contacts and the certified data held for
their products. Areas point at `customers.Customer`; the register knows nothing of the areas."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import Channel, CustomerLanguage
from .terms import DEFAULT_COMPLAINT_REPLY_DAYS, DEFAULT_REPORT_8D_DAYS, DEFAULT_WARRANTY_MONTHS, ServiceTerms

# Paths of the customer pages that a customer code must not shadow (/customers/<code>/).
RESERVED_CODES = frozenset({"new", "import"})


def validate_customer_code(value: str) -> None:
    """A code names the customer's page (/customers/<code>/): no slash, and not a word the pages use."""
    if "/" in value:
        raise ValidationError(_("A customer code cannot contain “/”."), code="slash")
    if value.strip() != value:
        raise ValidationError(_("A customer code cannot start or end with a space."), code="space")
    if value in RESERVED_CODES:
        raise ValidationError(
            _("“%(code)s” cannot be used as a customer code."), code="reserved", params={"code": value}
        )


class Customer(models.Model):
    code = models.CharField(_("customer code"), max_length=20, unique=True, validators=[validate_customer_code])
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    fax = models.CharField(_("fax"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    language = models.CharField(
        _("language"), max_length=10, choices=CustomerLanguage.choices, default=CustomerLanguage.ZH
    )
    is_key_account = models.BooleanField(_("key account"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Service terms (NH-QP14 4.5), with the channel and language above.
    warranty_months = models.PositiveSmallIntegerField(
        _("warranty period (months)"), default=DEFAULT_WARRANTY_MONTHS, validators=[MaxValueValidator(240)]
    )
    complaint_reply_days = models.PositiveSmallIntegerField(
        _("first reply to a complaint (working days)"),
        default=DEFAULT_COMPLAINT_REPLY_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    report_8d_days = models.PositiveSmallIntegerField(
        _("8D report due (working days)"),
        default=DEFAULT_REPORT_8D_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    service_agreement = models.CharField(
        _("contract or written agreement"),
        max_length=120,
        blank=True,
        help_text=_("Where these terms are agreed, e.g. quality agreement QA-2025-03 of 2025-03-01."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        if (get_language() or "zh-hans").startswith("zh"):
            return self.name_zh or self.name_en
        return self.name_en or self.name_zh

    def get_absolute_url(self) -> str:
        return reverse("customers:customer_detail", args=[self.code])

    def clean(self) -> None:
        super().clean()
        if (
            self.complaint_reply_days is not None
            and self.report_8d_days is not None
            and self.report_8d_days < self.complaint_reply_days
        ):
            raise ValidationError(
                {"report_8d_days": _("The 8D report cannot be due before the first reply to the complaint.")}
            )

    @property
    def service_terms(self) -> ServiceTerms:
        """The after-sales service terms agreed with this customer (NH-QP14 4.5)."""
        return ServiceTerms(
            warranty_months=self.warranty_months,
            complaint_reply_days=self.complaint_reply_days,
            report_8d_days=self.report_8d_days,
            channel=self.preferred_channel,
            language=self.language,
            agreement=self.service_agreement,
        )


class CustomerContact(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=60)
    role = models.CharField(_("role"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    fax = models.CharField(_("fax"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer contact")
        verbose_name_plural = _("customer contacts")
        ordering = ["customer", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


class CustomerCertificate(models.Model):
    """Certified data held for the customer's products (UL, CCC, RoHS …): a requirement that departs
    from it needs a written report to the customer (NH-QP14 4.1.3)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="certificates"
    )
    certificate = models.CharField(_("certificate"), max_length=60, help_text=_("e.g. UL, CCC, RoHS"))
    number = models.CharField(_("certificate number"), max_length=60, blank=True)
    standard = models.CharField(_("standard"), max_length=120, blank=True)
    scope = models.CharField(_("scope"), max_length=255, blank=True)
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("certified data")
        verbose_name_plural = _("certified data")
        ordering = ["customer", "certificate"]

    def __str__(self) -> str:
        return " ".join(p for p in (self.certificate, self.number, self.standard) if p)

    @property
    def is_expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < timezone.localdate()
