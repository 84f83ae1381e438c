from django.utils.translation import gettext as _

from nhcs.accounts.choices import DepartmentCode, Position

from .flow import CREATOR_DEPARTMENT


def role_label(role) -> str:
    if role.user_field:
        return _("named person")
    parts = []
    if role.department == CREATOR_DEPARTMENT:
        parts.append(_("raising department"))
    elif role.department:
        parts.append(str(DepartmentCode(role.department).label))
    if role.position:
        parts.append(str(Position(role.position).label))
    return " · ".join(parts) or _("anyone")
