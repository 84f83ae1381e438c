from django.db import models
from django.utils.translation import gettext_lazy as _


class Position(models.TextChoices):
    STAFF = "staff", _("Staff")
    HEAD = "head", _("Department head")
    VGM = "vgm", _("Deputy general manager")
    GM = "gm", _("General manager")


# Department codes are the stable keys that flows name (see shared/design/flows.md).
class DepartmentCode(models.TextChoices):
    SALES = "SALES", _("Sales & Marketing")
    PLAN = "PLAN", _("Planning & Logistics")
    ENG = "ENG", _("Engineering & Process")
    RD = "RD", _("R&D")
    PUR = "PUR", _("Purchasing")
    QA = "QA", _("Quality")
    MFG = "MFG", _("Manufacturing")
    WH = "WH", _("Warehouse")
    GMO = "GMO", _("General Management")


DEPARTMENTS_ZH = {
    "SALES": "营销部",
    "PLAN": "计划物流部",
    "ENG": "技术工艺部",
    "RD": "研发部",
    "PUR": "采购部",
    "QA": "品质部",
    "MFG": "制造部",
    "WH": "仓库",
    "GMO": "总经办",
}

# Groups that follow a user's department and position; other groups (e.g. auditors) are given by hand.
POSITION_GROUPS = {
    Position.HEAD: "Department heads",
    Position.VGM: "Deputy general managers",
    Position.GM: "General manager",
}
AUDITORS_GROUP = "Auditors"
