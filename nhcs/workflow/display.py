"""Labels rendered when read, in the reader's language: the engine stores codes and parameters only.

History reasons written by the engine are codes ("@created", "@t:submit", "@amend:BG-2026-0001");
attachments described by the system carry a purpose code and parameters; sign-offs carry the
transition's name and the action's data. Everything typed by a person is shown as typed.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nhcs.accounts.choices import DepartmentCode, Position

from .flow import CREATOR_DEPARTMENT, FLOWS, data_rows

CREATED = "@created"
EDITED = "@edit"


def transition_reason(name: str) -> str:
    return f"@t:{name}"


def amendment_reason(number: str) -> str:
    return f"@amend:{number}"


def flow_of_model(model):
    return getattr(model, "flow", None)


def flow_for_content_type(content_type_id: int):
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return flow_of_model(model) if model is not None else None


def role_label(role) -> str:
    from .flow import FromField, VGMInCharge

    if role.name:
        return str(role.name)
    if isinstance(role, FromField):
        return _("owner by %(field)s") % {"field": role.field_name}
    if isinstance(role, VGMInCharge):
        return _("deputy general manager in charge")
    if role.user_field:
        return _("named person")
    parts = []
    if role.department_field:
        parts.append(_("responsible department"))
    elif role.department == CREATOR_DEPARTMENT:
        parts.append(_("raising department"))
    elif role.department:
        parts.append(str(DepartmentCode(role.department).label))
    if role.position:
        parts.append(str(Position(role.position).label))
    return " · ".join(parts) or _("anyone")


def history_reason(model, reason: str | None) -> str:
    """A history entry's reason in the reader's language."""
    reason = reason or ""
    if not reason.startswith("@"):
        return reason
    if reason == CREATED:
        return _("Created")
    if reason == EDITED:
        return _("Edited")
    if reason.startswith("@t:"):
        flow = flow_of_model(model)
        name = reason[3:]
        try:
            transition = flow.transition(name)
        except (AttributeError, KeyError):
            return name
        return str(transition.done_label or transition.label)
    if reason.startswith("@amend:"):
        return _("Amended by %(number)s") % {"number": reason[7:]}
    return reason


def signoff_label(signoff) -> str:
    """What was done, e.g. "Reply the delivery date", "QA review · Accept", "Amended by BG-2026-0001"."""
    flow = flow_for_content_type(signoff.content_type_id)
    if signoff.step:
        label = str(flow.step_label(signoff.step)) if flow else signoff.step
        return label
    if signoff.action == "amend":
        number = (signoff.data or {}).get("by_number", "")
        return _("Amended by %(number)s") % {"number": number}
    if flow is not None and signoff.transition:
        try:
            transition = flow.transition(signoff.transition)
        except KeyError:
            return signoff.get_action_display()
        return str(transition.done_label or transition.label)
    return signoff.get_action_display()


def signoff_data_rows(signoff) -> list[tuple[str, str]]:
    """What the action captured, as (label, value) in the reader's language."""
    data = dict(signoff.data or {})
    if not data:
        return []
    flow = flow_for_content_type(signoff.content_type_id)
    form_class = None
    if flow is not None:
        if signoff.step:
            try:
                form_class = flow.step(signoff.step).form
            except KeyError:
                form_class = None
        elif signoff.transition:
            try:
                form_class = flow.transition(signoff.transition).form
            except KeyError:
                form_class = None
    if form_class is None:
        return []
    return data_rows(form_class, data)


# --- attachments described by the system ------------------------------------------------------------

ATTACHMENT_PURPOSES: dict[str, object] = {}


def register_attachment_purpose(code: str, template) -> None:
    """An area's system-written attachment description: a lazy string with %(name)s parameters."""
    ATTACHMENT_PURPOSES[code] = template


register_attachment_purpose("transition", gettext_lazy("Sent with “%(action)s”"))


def attachment_description(attachment) -> str:
    if not attachment.purpose:
        return attachment.description
    template = ATTACHMENT_PURPOSES.get(attachment.purpose)
    if template is None:
        return attachment.description
    params = dict(attachment.params or {})
    if attachment.purpose == "transition":
        flow = flow_for_content_type(attachment.content_type_id)
        name = params.get("transition", "")
        try:
            params["action"] = str(flow.transition(name).label)
        except (AttributeError, KeyError):
            params["action"] = name
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return attachment.description


__all__ = ["FLOWS", "history_reason", "signoff_label", "attachment_description", "role_label"]
