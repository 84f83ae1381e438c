"""Declarations of record sheets: what a list or a record prints, in Excel and PDF.

An area adds a sheets.py with one small declaration per sheet and, for a record, one HTML template;
`nhcs.sheets.export` does the rest (letterhead, page numbers, signature boxes, change marks, Excel
layout, streaming, column permissions, language).

List sheet::

    from nhcs.sheets.declarations import Column, ListSheet

    ORDER_LIST = ListSheet(
        "production_plan_review",                    # FormSetting key: title, document no., version
        [
            Column("number", _("Number"), "number", width=16),
            Column("customer", _("Customer"), "customer.code"),
            Column("ordered", _("Order date"), "ordered_on", kind="date"),
            Column("qty", _("Quantity"), "quantity", kind="number"),
            Column("price", _("Unit price"), "unit_price", kind="money",
                   visible=lambda user: user.has_perm("orders.view_prices")),
            Column("total", _("Total"), lambda o: o.quantity * o.unit_price, kind="money"),
        ],
        landscape=True,
    )

Record sheet::

    from nhcs.sheets.declarations import RecordSheet, SignatureBox

    CHANGE_NOTICE = RecordSheet(
        "change_notice",
        "orders/sheets/change_notice.html",         # {% extends "sheets/pdf/record.html" %}
        signature_boxes=[
            SignatureBox("编制 Prepared", actions=(Action.SUBMIT,)),
            SignatureBox("审核 Reviewed", transitions=("head_review",)),
            SignatureBox("批准 Approved", actions=(Action.APPROVE,), transitions=("vgm_approve",)),
            SignatureBox("品质意见 QA", step="qa"),
        ],
    )

`Column(key, label, accessor, kind, width, visible)`:
    accessor — an attribute path ("customer.code"; a callable attribute is called, `get_x_display`
    works) or callable(obj); default: the key. kind — "text", "number", "money", "date", "datetime"
    or "bool": Excel gets real dates and numbers, the PDF formatted text. width — Excel column width
    in characters (default from the kind). visible — callable(user) -> bool; a column the user may not
    see is left out of both formats.

`ListSheet(form_key, columns, pdf_template=None, landscape=False, group_by=None)`: pdf_template defaults
to "sheets/pdf/list.html" (letterhead + table). group_by — a Column whose value heads groups of rows
in the PDF (order the queryset by it) and is the first column in Excel.

`RecordSheet(form_key, pdf_template, signature_boxes=(), xlsx_builder=None, fields=(), landscape=False)`:
    fields — Columns printed as "label: value" lines by the default templates and the default Excel
    sheet (default: the model's own data fields). xlsx_builder — callable(*, ws, record, context, request)
    that writes the record's body — what its PDF template prints — into the openpyxl worksheet `ws`
    below the letterhead rows (`ws.max_row` tells where to continue), with the table helpers of
    nhcs.sheets.xlsx_record (section, table_header, table_row, note: thin borders, wrapped text) and
    nhcs.sheets.export.write_field_rows; `ws` stores every str given to ws.append / ws.cell /
    ws[...] = as text (never `cell.value = text`). Without it the Excel sheet lists `fields` with
    their change marks. The signature boxes, page set-up and footer are added after the body.

`choice_label(path, choices)`: an accessor for a choices field (a record's state) that translates
each label once per export.

`SignatureBox(label, actions=(Action.SUBMIT,), transitions=(), step=None, many=False)`: filled from
the record's sign-offs (nhcs.workflow.selectors.signoffs_for) — a sign-off of a review step fills
the box naming that step; otherwise one whose action is in `actions` and, when `transitions` is given,
whose transition is one of them. The latest matching sign-off fills the box (after a reopening, the
current signature counts); `many=True` lists all of them (e.g. several departments' opinions).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.functional import Promise

from nhcs.workflow.choices import Action

KINDS = ("text", "number", "money", "date", "datetime", "bool")
# Excel width in characters when a column gives none.
DEFAULT_WIDTHS = {"text": 24, "number": 12, "money": 14, "date": 12, "datetime": 18, "bool": 8}

Accessor = str | Callable[[Any], Any] | None


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    accessor: Accessor = None
    kind: str = "text"
    width: float | None = None
    visible: Callable[[Any], bool] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Column {self.key!r}: kind must be one of {KINDS}, not {self.kind!r}")
        # Resolved once: an export calls these for every cell of up to 100,000 rows.
        accessor = self.accessor if self.accessor is not None else self.key
        getter = accessor if callable(accessor) else _path_getter(accessor)
        object.__setattr__(self, "_getter", getter)
        object.__setattr__(self, "_convert", _CONVERTERS[self.kind])

    @property
    def excel_width(self) -> float:
        return self.width or DEFAULT_WIDTHS[self.kind]

    def is_visible_to(self, user) -> bool:
        return self.visible is None or bool(self.visible(user))

    def raw(self, obj: Any) -> Any:
        """The value as stored: a date, a number, a string, None."""
        return self._getter(obj)

    def value(self, obj: Any) -> Any:
        """The value typed for Excel: dates as dates, numbers as numbers, the rest as text."""
        value = self._getter(obj)
        if value is None or value == "":
            return None
        return self._convert(value)


def _path_getter(path: str) -> Callable[[Any], Any]:
    parts = tuple(path.split("."))

    def get(obj: Any) -> Any:
        value = obj
        for part in parts:
            if value is None:
                return None
            try:
                value = getattr(value, part)
            except ObjectDoesNotExist:
                return None
            if callable(value) and not hasattr(value, "all"):
                value = value()
        return value

    return get


# The time zone of an export in progress, read once for all its rows (see export_timezone).
_EXPORT_TZ: ContextVar[tzinfo | None] = ContextVar("nhcs_sheets_export_tz", default=None)


# Labels already translated during the export in progress (see choice_label).
_EXPORT_LABELS: ContextVar[dict | None] = ContextVar("nhcs_sheets_export_labels", default=None)


@contextmanager
def export_timezone():
    """Fix the user's time zone (and a label cache) for a whole export: per-cell look-ups are hot spots."""
    token = _EXPORT_TZ.set(timezone.get_current_timezone())
    labels = _EXPORT_LABELS.set({})
    try:
        yield
    finally:
        _EXPORT_TZ.reset(token)
        _EXPORT_LABELS.reset(labels)


def choice_label(path: str, choices) -> Callable[[Any], str]:
    """An accessor printing the label of a choices value (e.g. a record's state), translated once per
    export instead of once per row: choice_label("state", OrderState.choices)."""
    getter = _path_getter(path)
    mapping = dict(choices)

    def get(obj: Any) -> str:
        value = getter(obj)
        cache = _EXPORT_LABELS.get()
        if cache is None:
            return str(mapping.get(value, value if value is not None else ""))
        key = (id(mapping), value)
        text = cache.get(key)
        if text is None:
            text = cache[key] = str(mapping.get(value, value if value is not None else ""))
        return text

    return get


def _local(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        return value
    return value.astimezone(_EXPORT_TZ.get() or timezone.get_current_timezone())


def _to_date(value: Any) -> Any:
    if isinstance(value, datetime):
        return _local(value).date()
    return value if isinstance(value, date) else str(value)


def _to_datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        # Excel knows no time zones: print the office's local time.
        return _local(value).replace(tzinfo=None)
    return value if isinstance(value, date) else str(value)


def _to_number(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float, Decimal)):
        return value
    try:
        return Decimal(str(value))
    except ArithmeticError:  # a text where a number was declared prints as text
        return str(value)


def _to_text(value: Any) -> Any:
    if type(value) is str:
        return value
    if hasattr(value, "all") and callable(value.all):  # a many-to-many manager
        return ", ".join(str(v) for v in value.all())
    return str(value)


_CONVERTERS = {
    "text": _to_text,
    "number": _to_number,
    "money": _to_number,
    "date": _to_date,
    "datetime": _to_datetime,
    "bool": bool,
}


def to_cell_value(value: Any, kind: str) -> Any:
    """A raw value typed for Excel according to the column kind (None for empty)."""
    if value is None or value == "":
        return None
    return _CONVERTERS[kind](value)


@dataclass(frozen=True)
class ListSheet:
    form_key: str
    columns: Sequence[Column]
    pdf_template: str | None = None
    landscape: bool = False
    # Rows under headings (e.g. the delivery month): a heading row in the PDF, a first column in Excel
    # (so that the autofilter still works). The queryset must be ordered by it.
    group_by: Column | None = None
    # The Excel list's rows from the (filtered, ordered) queryset, when the sheet reads them faster than
    # model instances with their prefetches (values() in chunks); the columns read these rows.
    excel_rows: Callable[[Any], Any] | None = None

    def __post_init__(self) -> None:
        keys = [c.key for c in self.columns] + ([self.group_by.key] if self.group_by else [])
        if len(set(keys)) != len(keys):
            raise ValueError(f"ListSheet {self.form_key!r}: duplicate column keys")

    @property
    def template(self) -> str:
        return self.pdf_template or "sheets/pdf/list.html"

    def columns_for(self, user) -> list[Column]:
        return [c for c in self.columns if c.is_visible_to(user)]

    def excel_columns_for(self, user) -> list[Column]:
        group = [self.group_by] if self.group_by is not None and self.group_by.is_visible_to(user) else []
        return group + self.columns_for(user)


# The default of SignatureBox.actions; a box that names transitions but keeps this default matches on
# the transitions alone.
SUBMIT_ONLY = (Action.SUBMIT,)


@dataclass(frozen=True)
class SignatureBox:
    label: str | Promise
    actions: Sequence[str] = SUBMIT_ONLY
    transitions: Sequence[str] = ()
    step: str | None = None
    many: bool = False

    def matches(self, signoff) -> bool:
        if self.step is not None:
            return signoff.step == self.step
        if signoff.step:
            return False
        if self.transitions:
            if signoff.transition not in self.transitions:
                return False
            return self.actions is SUBMIT_ONLY or signoff.action in self.actions
        return signoff.action in self.actions


@dataclass(frozen=True)
class RecordSheet:
    form_key: str
    pdf_template: str
    signature_boxes: Sequence[SignatureBox] = ()
    xlsx_builder: Callable[..., None] | None = None
    fields: Sequence[Column] = field(default_factory=tuple)
    landscape: bool = False
    # The rows the record prints (its lines, say), counted without reading them: above
    # settings.NHCS_EXPORT_BACKGROUND_RECORD_ROWS the sheet is made in the background (nhcs.sheets.background).
    size: Callable[[Any], int] | None = None

    def fields_for(self, record, user) -> list[Column]:
        """The record's printed data: the declared fields the user may see, or the model's own fields."""
        if self.fields:
            return [c for c in self.fields if c.is_visible_to(user)]
        return default_fields(type(record))


def default_fields(model) -> list[Column]:
    hidden = getattr(model, "BOOKKEEPING_FIELDS", frozenset()) | {"id", "number"}
    columns = []
    for f in model._meta.concrete_fields:
        if f.name in hidden or f.name.endswith("_ptr"):
            continue
        kind = _kind_of(f)
        accessor = f"get_{f.name}_display" if f.choices else f.name
        columns.append(Column(f.name, f.verbose_name, accessor, kind=kind))
    return columns


def _kind_of(f) -> str:
    from django.db import models

    if f.choices:
        return "text"
    if isinstance(f, models.DateTimeField):
        return "datetime"
    if isinstance(f, models.DateField):
        return "date"
    if isinstance(f, models.BooleanField):
        return "bool"
    if isinstance(f, models.DecimalField):
        return "money" if f.decimal_places == 2 else "number"
    if isinstance(f, (models.IntegerField, models.FloatField)) and not f.is_relation:
        return "number"
    return "text"
