"""Every write of the customer register: customers, contacts, certified data and the Excel import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from nhcs.accounts.models import User
from nhcs.sheets.xlsx_read import WorkbookRefused, first_sheet_rows
from nhcs.workflow import services as wf
from nhcs.workflow.exceptions import Blocked, NotAllowed
from nhcs.workflow.flow import HEADS_AND_ABOVE, Role

from .choices import Channel, CustomerLanguage
from .models import Customer, CustomerCertificate, CustomerContact

# --- who may do what ---------------------------------------------------------------------------------


# Who reads the customer register (contacts, certified data, service terms): the departments that deal
# with customers — Sales, Planning & Logistics, Quality, the Warehouse — heads and above, auditors.
CUSTOMER_READERS = tuple(Role(department=code) for code in ("SALES", "PLAN", "QA", "WH"))


def can_view_customers(user: User) -> bool:
    """Whether the user reads the customer register; everyone else gets 404 on it."""
    if not user.is_authenticated or not user.is_active:
        return False
    if wf.is_auditor(user) or user.position in HEADS_AND_ABOVE:
        return True
    return wf.holds_role(user=user, roles=CUSTOMER_READERS)


# Who keeps the customer register, as roles (deputies included): Sales.
CUSTOMER_MANAGERS = (Role(department="SALES"),)


def can_manage_customers(user: User) -> bool:
    """Sales keeps the customer register (and superusers)."""
    return user.is_authenticated and (user.is_superuser or wf.holds_role(user=user, roles=CUSTOMER_MANAGERS))


def _require_manager(user: User) -> None:
    if not can_manage_customers(user):
        raise NotAllowed()


def _full_clean(obj, **kwargs) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as error:
        raise Blocked(
            problems=[f"{k}: {'; '.join(v)}" if k != "__all__" else "; ".join(v) for k, v in error.message_dict.items()]
        ) from None


# --- customers -----------------------------------------------------------------------------------------


@transaction.atomic
def customer_save(*, user: User, data: dict[str, Any], customer: Customer | None = None) -> Customer:
    _require_manager(user)
    customer = customer or Customer()
    for name, value in data.items():
        setattr(customer, name, value)
    _full_clean(customer)
    customer._history_user = user
    customer.save()
    return customer


@transaction.atomic
def contact_add(*, user: User, customer: Customer, data: dict[str, Any]) -> CustomerContact:
    _require_manager(user)
    contact = CustomerContact(customer=customer, **data)
    _full_clean(contact)
    contact._history_user = user
    contact.save()
    return contact


@transaction.atomic
def contact_delete(*, user: User, contact: CustomerContact) -> None:
    _require_manager(user)
    contact._history_user = user
    contact.delete()


@transaction.atomic
def certificate_add(*, user: User, customer: Customer, data: dict[str, Any]) -> CustomerCertificate:
    _require_manager(user)
    cert = CustomerCertificate(customer=customer, **data)
    _full_clean(cert)
    cert._history_user = user
    cert.save()
    return cert


@transaction.atomic
def certificate_delete(*, user: User, certificate: CustomerCertificate) -> None:
    _require_manager(user)
    certificate._history_user = user
    certificate.delete()


# --- customer import from Excel ---------------------------------------------------------------------

# Column headings accepted in the first row (English field name, or the Chinese heading of the template).
IMPORT_COLUMNS = {
    "code": ["code", "客户代码", "customer code"],
    "name_zh": ["name_zh", "中文名称", "name (chinese)"],
    "name_en": ["name_en", "英文名称", "name (english)"],
    "address": ["address", "地址"],
    "contact_name": ["contact_name", "联系人", "contact"],
    "phone": ["phone", "电话"],
    "fax": ["fax", "传真"],
    "email": ["email", "e-mail", "邮箱", "电子邮件"],
    "preferred_channel": ["preferred_channel", "首选方式", "channel"],
    "language": ["language", "语言"],
    "is_key_account": ["is_key_account", "重点客户", "key account"],
    # Service terms (optional; empty cells take the house defaults).
    "warranty_months": ["warranty_months", "保修期（月）", "保修期(月)", "保修期", "warranty (months)", "warranty"],
    "complaint_reply_days": [
        "complaint_reply_days",
        "首次回复（工作日）",
        "首次回复(工作日)",
        "首次回复",
        "first reply (working days)",
    ],
    "report_8d_days": ["report_8d_days", "8d报告（工作日）", "8d报告(工作日)", "8d报告", "8d report (working days)"],
    "service_agreement": ["service_agreement", "合同/协议", "合同或书面协议", "agreement", "contract or agreement"],
}
NUMBER_COLUMNS = ("warranty_months", "complaint_reply_days", "report_8d_days")
IMPORT_MAX_ROWS = 5000
YES = {"1", "y", "yes", "true", "是", "x", "√"}


@dataclass
class ImportRow:
    row: int
    code: str
    problems: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    created: list[Customer] = field(default_factory=list)
    rows: list[ImportRow] = field(default_factory=list)
    error: str = ""

    @property
    def refused(self) -> list[ImportRow]:
        return [r for r in self.rows if r.problems]

    @property
    def ok(self) -> bool:
        return not self.error and not self.refused


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice(value: str, choices) -> str | None:
    """The code of a choice given by its code or its label, in Chinese or English, whatever the page's language."""
    lowered = value.lower()
    for code, label in choices.choices:
        names = {code.lower(), str(label).lower()}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names.add(str(label).lower())
        if lowered in names:
            return code
    return None


def customer_import(*, user: User, upload: UploadedFile) -> ImportResult:
    """Import customers from the first sheet of an .xlsx file. All or nothing: when any row is refused,
    nothing is written and the result says, row by row, what was refused and why."""
    _require_manager(user)
    result = ImportResult()

    if not upload.name.lower().endswith(".xlsx"):
        result.error = _("“%(name)s” is not an Excel workbook (.xlsx).") % {"name": upload.name}
        return result
    try:
        rows = [values for _number, values in first_sheet_rows(upload, max_rows=IMPORT_MAX_ROWS)]
    except WorkbookRefused as refused:
        result.error = refused.message
        return result
    if not rows:
        result.error = _("The workbook is empty.")
        return result
    headings = [_cell(h).lower() for h in rows[0]]
    columns = {}
    for name, aliases in IMPORT_COLUMNS.items():
        for index, heading in enumerate(headings):
            if heading in aliases:
                columns[name] = index
                break
    if "code" not in columns:
        result.error = _("The first row must hold the column headings, including “code” (客户代码).")
        return result
    if len(rows) == 1:
        result.error = _("The workbook has headings but no customers.")
        return result
    if len(rows) > IMPORT_MAX_ROWS + 1:
        result.error = _("At most %(n)s customers per file; split the workbook.") % {"n": IMPORT_MAX_ROWS}
        return result
    existing = set(Customer.objects.values_list("code", flat=True))
    seen: dict[str, int] = {}
    pending: list[Customer] = []
    for number, values in enumerate(rows[1:], start=2):
        data = {name: _cell(values[i]) if i < len(values) else "" for name, i in columns.items()}
        row = ImportRow(row=number, code=data["code"])
        result.rows.append(row)
        if not data["code"]:
            row.problems.append(_("The customer code is missing."))
        elif data["code"] in seen:
            row.problems.append(
                _("The code %(code)s appears again (first in row %(row)s).")
                % {"code": data["code"], "row": seen[data["code"]]}
            )
        elif data["code"] in existing:
            row.problems.append(_("A customer with the code %(code)s already exists.") % {"code": data["code"]})
        if data["code"] and data["code"] not in seen:
            seen[data["code"]] = number
        if not data.get("name_zh") and not data.get("name_en"):
            row.problems.append(_("Give a Chinese or an English name."))
        channel = data.pop("preferred_channel", "")
        if channel:
            data["preferred_channel"] = _choice(channel, Channel)
            if data["preferred_channel"] is None:
                row.problems.append(_("Unknown preferred channel “%(value)s”.") % {"value": channel})
        language = data.pop("language", "")
        if language:
            data["language"] = _choice(language, CustomerLanguage) or {"zh": "zh-hans", "中文": "zh-hans"}.get(
                language.lower()
            )
            if data["language"] is None:
                row.problems.append(_("Unknown language “%(value)s”.") % {"value": language})
        if "is_key_account" in data:
            data["is_key_account"] = data["is_key_account"].lower() in YES
        for name in NUMBER_COLUMNS:
            value = data.pop(name, "")
            if not value:
                continue  # the default
            if value.isdigit():
                data[name] = int(value)
            else:
                label = Customer._meta.get_field(name).verbose_name
                row.problems.append(
                    _("%(field)s: “%(value)s” is not a whole number.") % {"field": label, "value": value}
                )
        customer = Customer(**{k: v for k, v in data.items() if v is not None})
        try:
            customer.full_clean(validate_unique=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                label = Customer._meta.get_field(name).verbose_name if name != "__all__" else ""
                for message in messages:
                    text = f"{label}: {message}" if label else message
                    if name == "code" and not data["code"]:
                        continue  # already said
                    row.problems.append(text)
        pending.append(customer)
    if result.refused:
        return result
    with transaction.atomic():
        for customer in pending:
            customer._history_user = user
            customer._change_reason = _("Imported from %(name)s") % {"name": upload.name}
            customer.save()
    result.created = pending
    return result
