from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import DepartmentCode, Position


class Department(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True, choices=DepartmentCode.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=64)
    group = models.OneToOneField(
        "auth.Group",
        verbose_name=_("permission group"),
        on_delete=models.PROTECT,
        related_name="department",
        null=True,
        blank=True,
        help_text=_("Members of this department are put in this group and get its permissions."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The department hierarchy: heads are the members with the position "department head"; above them
    # the deputy general manager in charge (主管副总经理), above all the general manager. Tasks for a
    # role nobody holds move up this chain.
    deputy_gm = models.ForeignKey(
        "accounts.User",
        verbose_name=_("deputy general manager in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="departments_in_charge",
        limit_choices_to={"position": "vgm"},
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if (get_language() or "zh-hans").startswith("zh"):
            return self.name_zh
        return self.name_en


class NHCSUserManager(UserManager):
    """Users come with their department: role checks read it on every page."""

    def get_queryset(self):
        return super().get_queryset().select_related("department")


class User(AbstractUser):
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )
    position = models.CharField(_("position"), max_length=8, choices=Position.choices, default=Position.STAFF)
    display_name = models.CharField(
        _("name shown on records"),
        max_length=64,
        blank=True,
        help_text=_("The name printed in signature boxes, e.g. 张伟. Defaults to the user name."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    objects = NHCSUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.signature_name

    @property
    def signature_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def department_code(self) -> str | None:
        return self.department.code if self.department_id else None

    @property
    def is_manager(self) -> bool:
        return self.position in {Position.HEAD, Position.VGM, Position.GM}

    @property
    def is_general_manager(self) -> bool:
        return self.position in {Position.VGM, Position.GM}

    def is_superior_of(self, other: "User") -> bool:
        """Above `other` in the department hierarchy: their department's head (for staff), the deputy GM
        in charge of their department, or the general manager."""
        if self.pk == other.pk:
            return False
        if self.position == Position.GM:
            return other.position != Position.GM
        if other.department_id and other.department.deputy_gm_id == self.pk:
            return True
        return (
            self.position == Position.HEAD
            and other.position == Position.STAFF
            and self.department_id is not None
            and self.department_id == other.department_id
        )


class ThrottleEvent(models.Model):
    """One request counted by a throttle (nhcs.accounts.throttle): which throttle, whose key (hashed: an
    address or an e-mail address, never stored in clear), when. Rows older than the window are pruned."""

    scope = models.CharField(_("throttle"), max_length=32)
    key = models.CharField(_("key (hashed)"), max_length=64)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("throttled request")
        verbose_name_plural = _("throttled requests")
        indexes = [models.Index(fields=["scope", "key", "at"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.at:%Y-%m-%d %H:%M}"


class FormToken(models.Model):
    """A create form's one-time token (nhcs.core.once): a double-clicked "create" makes one record."""

    token = models.CharField(_("token"), max_length=64, unique=True)
    user = models.ForeignKey("accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    result_url = models.CharField(_("what it created"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("form token")
        verbose_name_plural = _("form tokens")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
