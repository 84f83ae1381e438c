"""Company settings and per-form settings printed on every record sheet.

Nothing of the letterhead is hard-coded: a data migration seeds the defaults of NH-QP14 (version A)
and the admin edits them.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _is_chinese() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


class CompanySettings(models.Model):
    """The letterhead: one row (pk=1), edited in the admin."""

    name_zh = models.CharField(_("company name (Chinese)"), max_length=120)
    name_en = models.CharField(_("company name (English)"), max_length=120, blank=True)
    address_zh = models.CharField(_("address (Chinese)"), max_length=200, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    fax = models.CharField(_("fax"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    logo = models.ImageField(
        _("logo"),
        upload_to="company/",
        blank=True,
        help_text=_("PNG or JPEG, printed at the top left of every sheet (about 15 mm high)."),
    )

    class Meta:
        verbose_name = _("company settings")
        verbose_name_plural = _("company settings")

    def __str__(self) -> str:
        return self.name_zh

    @classmethod
    def load(cls) -> "CompanySettings":
        # The migration seeds pk=1; should it ever be deleted, an empty letterhead is better than a 500.
        obj = cls.objects.filter(pk=1).first()
        return obj if obj is not None else cls(pk=1, name_zh="", name_en="")

    @property
    def display_name(self) -> str:
        return self.name_zh if _is_chinese() or not self.name_en else self.name_en

    @property
    def display_address(self) -> str:
        return self.address_zh if _is_chinese() or not self.address_en else self.address_en


class FormSetting(models.Model):
    """Title, document number and version of one record sheet of NH-QP14 section 6."""

    key = models.SlugField(_("key"), max_length=60, unique=True, help_text=_("Used by the program; do not change."))
    title_zh = models.CharField(_("title (Chinese)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    document_number = models.CharField(_("document number"), max_length=40)
    version = models.CharField(_("version"), max_length=10, default="A")
    procedure = models.CharField(_("procedure"), max_length=40, default="NH-QP14")
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("record sheet")
        verbose_name_plural = _("record sheets")
        ordering = ["sort_order", "key"]

    def __str__(self) -> str:
        return f"{self.document_number} {self.title_zh}"

    @property
    def display_title(self) -> str:
        return self.title_zh if _is_chinese() or not self.title_en else self.title_en

    @property
    def secondary_title(self) -> str:
        """The other language's title, printed beneath: Chinese sheets carry the English too and back."""
        other = self.title_en if _is_chinese() else self.title_zh
        return "" if other == self.display_title else other


class ExportFile(models.Model):
    """A long export made by the worker (nhcs.sheets.background): who asked, what (the export's address,
    which the worker opens again as that user), how far it is, and the file once made — under MEDIA_ROOT
    with an unguessable name, served only to that user, deleted after settings.NHCS_EXPORT_KEEP_HOURS."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("being made")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    token = models.CharField(_("token"), max_length=64, unique=True)
    user = models.ForeignKey("accounts.User", verbose_name=_("asked by"), on_delete=models.CASCADE, related_name="+")
    path = models.CharField(_("export address"), max_length=2000)
    filename = models.CharField(_("file name"), max_length=200)
    fmt = models.CharField(_("format"), max_length=8)
    language = models.CharField(_("language"), max_length=16, default="zh-hans")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file = models.CharField(_("file"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last progress"), auto_now=True)

    class Meta:
        verbose_name = _("export file")
        verbose_name_plural = _("export files")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, round(100 * self.rows_done / self.rows_total))
