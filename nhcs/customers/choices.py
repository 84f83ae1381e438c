from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a customer is written to (orders' clarifications and reports, surveys, complaints' replies)."""

    EMAIL = "email", _("E-mail")
    FAX = "fax", _("Fax")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")


class CustomerLanguage(models.TextChoices):
    ZH = "zh-hans", _("Chinese")
    EN = "en", _("English")
