from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nhcs.customers.choices import CustomerLanguage


class CustomerLink(models.Model):
    """A private link given to a customer to answer one thing (a survey, a date to confirm …): no login,
    valid until it expires, used once. The answer's name, time and address are kept as the customer's
    written answer."""

    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    purpose = models.CharField(_("purpose"), max_length=40, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="links"
    )
    language = models.CharField(_("language"), max_length=10, choices=CustomerLanguage.choices)
    target_type = models.ForeignKey(ContentType, verbose_name=_("about"), on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField(_("record"))
    target = GenericForeignKey("target_type", "target_id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("given out by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("given out at"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_name = models.CharField(_("name typed by the customer"), max_length=80, blank=True)
    answered_ip = models.GenericIPAddressField(_("answered from (IP address)"), null=True, blank=True)
    answered_user_agent = models.CharField(_("answered with (browser)"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("customer link")
        verbose_name_plural = _("customer links")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="link_target")]

    def __str__(self) -> str:
        return f"{self.purpose} · {self.customer_id} · …{self.token[-6:]}"

    @property
    def path(self) -> str:
        return reverse(f"links:{self.purpose}", args=[self.token])

    @property
    def url(self) -> str:
        """The address given to the customer."""
        return settings.SITE_URL + self.path

    @property
    def is_used(self) -> bool:
        return self.used_at is not None

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at
