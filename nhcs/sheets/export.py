"""The one export mechanism of NHCS: lists and records as Excel (openpyxl) and PDF (WeasyPrint).

Callers (area views) check permissions BEFORE calling; these functions only honour column visibility
(`Column.visible`) and the user's language.

    export_list(*, request, sheet, queryset, fmt, filename, filterset_class=None) -> HttpResponse
        A ListSheet as .xlsx (rows streamed into a temporary file by nhcs.sheets.xlsx_stream, or by
        openpyxl's write-only mode when settings.NHCS_XLSX_LIST_ENGINE = "openpyxl"; bounded memory for
        any row count; the letterhead lines of the PDF — Chinese title, English title, company, document
        number and version — then a frozen header row with an autofilter; text wraps) or .pdf (refused
        with a clear message above settings.NHCS_PDF_MAX_ROWS rows, default 500: what renders in about 10 s). `filename` without
        or with its extension.
        With `filterset_class` (a django-filter FilterSet), request.GET filters the queryset exactly
        as the list page does, invalid filters are refused, and the applied filters print in the
        sheet's header. Give the queryset its select_related: the export issues a constant number of
        queries.

    export_record(*, request, sheet, record, fmt, context=None, filename=None) -> HttpResponse
        A RecordSheet as .pdf (its template, which extends "sheets/pdf/record.html") or .xlsx (laid out
        by nhcs.sheets.xlsx_record like the PDF: letterhead, the body — the sheet's xlsx_builder or its
        fields —, signature boxes; A4 landscape, one page wide, bordered and wrapped tables).
        `context` adds to the template context, which always has: company, form, record, user,
        generated_at, fields (FieldRow list), changes ({field: [Mark]}), signature_boxes (FilledBox
        list), landscape.

    render_pdf_bytes(template, context) -> bytes
        Any template extending "sheets/pdf/base.html" to PDF (A4, letterhead, "page x of y", CJK font
        embedded). Put the letterhead keys in with sheet_context(form_key=..., ...).

    sheet_context(*, form_key, request=None, record_number="", landscape=False, **extra) -> dict
    fill_signature_boxes(*, record, boxes, signoffs=None) -> list[FilledBox]
    change_marks(*, record, since=None) -> dict[str, list[Mark]]
        Field changes made after the record first left its initial state (or after `since`): the
        划改 of the paper form. In templates: {% load sheets %}{% struck changes "field" value %}
        prints the old values struck through and the current one beside.
    field_rows(*, record, columns, changes) -> list[FieldRow]
    write_list_xlsx(*, out, columns, objects, title_rows=(), sheet_title="", landscape=None,
                    engine=None) -> int                                (used by the benchmark)
    write_record_xlsx(*, out, sheet, record, context, request=None)    (a record's workbook)
    write_field_rows(ws, fields)                   (the fields table, for builders that print it too)
    display_value(value, kind) -> str                                  (a value as printed)

Every str reaches a workbook as text, never a formula, exactly as typed (nhcs.sheets.excel_text: a
string cell, "_xHHHH_" and control characters escaped the way Excel reads them, capped at 32,767
characters with a visible mark). Record sheets are built on a worksheet that does this for every
`ws.append`, `ws.cell` and `ws[...] =`.

URLs: declare one export URL per list/record with a `<sheetfmt:fmt>` part (the converter accepts
"xlsx" and "pdf"), and put {% load sheets %}{% export_buttons "area:url_name" pk=record.pk %} on the
page; the buttons keep the list's current filters (query string).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from . import background
from .declarations import Column, ListSheet, RecordSheet, SignatureBox, export_timezone, to_cell_value
from .excel_text import new_workbook, save_workbook, set_text
from .models import CompanySettings, FormSetting
from .xlsx_record import (
    letterhead_lines,
    print_setup,
    set_widths,
    signature_table,
    table_header,
    table_row,
    write_letterhead,
)
from .xlsx_record import sheet_title as sheet_title_for_excel

FORMATS = ("xlsx", "pdf")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MIME = "application/pdf"

DEFAULT_FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'


def pdf_max_rows() -> int:
    return int(getattr(settings, "NHCS_PDF_MAX_ROWS", 500))


# --- letterhead and page furniture -----------------------------------------------------------------


def css_string(text: str) -> str:
    """A CSS string literal; admin-edited text (document numbers) cannot break out of the style sheet."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3C ")
    return '"' + escaped + '"'


def page_label_css(template: str | None = None) -> str:
    """A CSS `content` value for "page x of y" in the user's language."""
    template = template or _("Page {page} of {pages}")
    parts = []
    rest = template
    while rest:
        positions = [(rest.find(tag), tag) for tag in ("{page}", "{pages}") if rest.find(tag) >= 0]
        if not positions:
            parts.append(css_string(rest))
            break
        index, tag = min(positions)
        if index:
            parts.append(css_string(rest[:index]))
        parts.append("counter(page)" if tag == "{page}" else "counter(pages)")
        rest = rest[index + len(tag) :]
    return " ".join(parts) or "counter(page)"


def form_setting(form_key: str) -> FormSetting:
    form = FormSetting.objects.filter(key=form_key).first()
    if form is None:
        # A sheet whose settings row was never seeded still prints, with its key as the title.
        form = FormSetting(key=form_key, title_zh=form_key, title_en=form_key, document_number="", version="")
    return form


def sheet_context(*, form_key: str, request=None, record_number: str = "", landscape: bool = False, **extra) -> dict:
    company = CompanySettings.load()
    logo_url = ""
    if company.logo:
        try:
            logo_url = Path(company.logo.path).resolve().as_uri()
        except (ValueError, NotImplementedError):
            logo_url = ""
    context = {
        "company": company,
        "logo_url": logo_url,
        "form": form_setting(form_key),
        "record_number": record_number,
        "landscape": landscape,
        "generated_at": timezone.localtime(),
        "user": getattr(request, "user", None),
        "request": request,
        "page_label_css": page_label_css(),
        "font_family": getattr(settings, "NHCS_PDF_FONT_FAMILY", DEFAULT_FONT_FAMILY),
    }
    form = context["form"]
    left = " · ".join(x for x in (form.document_number, f"{_('Version')} {form.version}" if form.version else "") if x)
    context["footer_left_css"] = css_string(left)
    context["footer_right_css"] = css_string(record_number)
    context.update(extra)
    return context


# --- PDF ---------------------------------------------------------------------------------------------


def _allowed_roots() -> list[Path]:
    roots = [Path(settings.MEDIA_ROOT), Path(settings.BASE_DIR) / "static", Path("/usr/share/fonts")]
    roots += [Path(p) for p in getattr(settings, "STATICFILES_DIRS", [])]
    return [r.resolve() for r in roots]


def _url_fetcher():
    """Only local files of our own (logo, fonts) and data: URLs: a sheet never fetches from the network."""
    from urllib.parse import unquote, urlparse

    from weasyprint.urls import URLFetcher

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                path = Path(unquote(urlparse(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in _allowed_roots()):
                    raise ValueError(f"Sheets do not load {url!r}")
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)


def render_pdf_bytes(template: str, context: dict) -> bytes:
    """Render a template (extending "sheets/pdf/base.html") to PDF bytes."""
    import weasyprint

    if "company" not in context or "form" not in context:
        raise ValueError("Build the context with sheet_context(form_key=...) first.")
    # No request here: the site's context processors (menus, task counts) have no place on paper.
    html = render_to_string(template, context)
    document = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_url_fetcher())
    return document.write_pdf()


def _disposition(filename: str, ext: str) -> str:
    name = filename if filename.lower().endswith("." + ext) else f"{filename}.{ext}"
    return content_disposition_header(True, name)


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=PDF_MIME)
    response["Content-Disposition"] = _disposition(filename, "pdf")
    return response


# --- signature boxes -----------------------------------------------------------------------------------


@dataclass
class Signature:
    name: str
    position: str
    department: str
    signed_at: datetime
    on_behalf_of: str
    action: str
    outcome: str
    comment: str

    @property
    def date(self) -> date:
        return timezone.localtime(self.signed_at).date()


@dataclass
class FilledBox:
    label: Any
    signatures: list[Signature] = field(default_factory=list)

    @property
    def signature(self) -> Signature | None:
        return self.signatures[-1] if self.signatures else None


def _signature(s) -> Signature:
    return Signature(
        name=s.user.signature_name,
        position=s.get_position_display() if s.position else "",
        department=s.department_name,
        signed_at=s.signed_at,
        on_behalf_of=s.on_behalf_of.signature_name if s.on_behalf_of_id else "",
        action=s.get_action_display(),
        outcome=s.get_outcome_display() if s.outcome else "",
        comment=s.comment,
    )


def fill_signature_boxes(*, record, boxes: Sequence[SignatureBox], signoffs: Iterable | None = None) -> list[FilledBox]:
    """Each box with the sign-off(s) of the record's current round that match it (latest last).

    Which sign-offs still count is the engine's answer (the current round), never a guess from action
    types: a date refused by the customer keeps the review's signatures; a recall or return to draft
    starts a new round with empty boxes, the earlier rounds printed apart (`earlier_rounds`).
    """
    from nhcs.workflow.selectors import current_round_signoffs, signoffs_for

    all_signoffs = list(signoffs if signoffs is not None else signoffs_for(record=record))
    current = current_round_signoffs(record=record, signoffs=all_signoffs)
    filled = []
    for box in boxes:
        matching = [_signature(s) for s in current if box.matches(s)]
        if not box.many:
            matching = matching[-1:]
        filled.append(FilledBox(label=box.label, signatures=matching))
    return filled


@dataclass
class EarlierRound:
    number: int
    status: str
    ended_at: datetime | None
    signatures: list[tuple[str, Signature]]


def earlier_rounds(*, record) -> list[EarlierRound]:
    """The record's earlier rounds with what was signed in them, oldest first (the sheet's history part)."""
    from nhcs.workflow.selectors import rounds_for

    rounds = rounds_for(record=record)
    out = []
    for r in reversed(rounds[1:]):
        out.append(
            EarlierRound(
                number=r.number,
                status=r.get_status_display(),
                ended_at=r.ended_at,
                signatures=[(s.label, _signature(s)) for s in r.signoff_list],
            )
        )
    return out


# --- change marks (划改) ---------------------------------------------------------------------------------


@dataclass
class Mark:
    field: str
    label: str
    old: Any
    new: Any
    when: datetime
    user: Any
    reason: str


def _first_left_initial(record) -> datetime | None:
    from nhcs.workflow.models import SignOff

    first = (
        SignOff.objects.for_record(record)
        .filter(from_state=record.flow.initial)
        .exclude(to_state=record.flow.initial)
        .order_by("signed_at", "pk")
        .values_list("signed_at", flat=True)
        .first()
    )
    return first


def _amendment_marks(record, marks: dict[str, list[Mark]]) -> None:
    """Values of the record's own fields changed by an amendment (a change or delay notice)."""
    from nhcs.workflow.selectors import amendments_for

    for (relation, _row, field_name), values in amendments_for(record=record).items():
        if relation or not field_name:
            continue
        for v in values:
            marks.setdefault(field_name, []).append(
                Mark(field=field_name, label=v.label, old=v.old, new=v.new, when=v.when, user=v.user, reason=v.number)
            )


def change_marks(*, record, since: datetime | None = None) -> dict[str, list[Mark]]:
    """Per field, its changes (oldest first) made after the record was first submitted, or after `since`."""
    from nhcs.workflow.selectors import history_for

    if not hasattr(record, "history") or not hasattr(record, "flow"):
        return {}  # not a workflow record: nothing is ever struck through
    marks: dict[str, list[Mark]] = {}
    _amendment_marks(record, marks)
    if since is None:
        since = _first_left_initial(record)
        if since is None:
            return marks
    for entry in reversed(history_for(record=record)):
        if entry.kind != "~" or entry.when < since or entry.raw_reason.startswith("@amend:"):
            continue  # amendments are marked from their own record, with the amending number
        for c in entry.changes:
            if c.field == "state":
                continue
            marks.setdefault(c.field, []).append(
                Mark(
                    field=c.field,
                    label=c.label,
                    old=c.old,
                    new=c.new,
                    when=entry.when,
                    user=entry.user,
                    reason=entry.reason,
                )
            )
    for values in marks.values():
        values.sort(key=lambda m: m.when)
    return marks


# --- record fields -------------------------------------------------------------------------------------


def display_value(value: Any, kind: str) -> str:
    """A value as printed on paper, in the user's language and formats."""
    value = to_cell_value(value, kind)
    if value is None:
        return ""
    if kind == "bool":
        return _("yes") if value else _("no")
    if kind == "money" and isinstance(value, (int, float, Decimal)):
        return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    if kind == "datetime" and isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # A quantity as it is written: 8000, not 8000.000.
        return format(value.normalize(), "f")
    if isinstance(value, (int, float)):
        return formats.number_format(value, use_l10n=True)
    return str(value)


@dataclass
class FieldRow:
    key: str
    label: Any
    value: str
    cell: Any
    kind: str
    marks: list[Mark]


def field_rows(*, record, columns: Sequence[Column], changes: dict[str, list[Mark]]) -> list[FieldRow]:
    rows = []
    for c in columns:
        raw = c.raw(record)
        rows.append(
            FieldRow(
                key=c.key,
                label=c.label,
                value=display_value(raw, c.kind),
                cell=to_cell_value(raw, c.kind),
                kind=c.kind,
                marks=changes.get(c.key, []),
            )
        )
    return rows


# --- Excel ---------------------------------------------------------------------------------------------


class _CellMaker:
    """Typed cells for a write-only sheet; the styles are made once and copied into each cell (assigning
    a style object per cell costs openpyxl a look-up each time)."""

    def __init__(self, ws):
        from openpyxl.cell.cell import Cell
        from openpyxl.styles import Alignment, Font, PatternFill

        self.ws = ws
        self.Cell = Cell
        wrap = Alignment(wrap_text=True, vertical="top")
        top = Alignment(vertical="top")
        self.header_style = self._style(
            font=Font(bold=True), fill=PatternFill("solid", fgColor="DDE4EE"), alignment=wrap
        )
        self.title_style = self._style(font=Font(bold=True))
        self.title_big_style = self._style(font=Font(bold=True, size=14))
        self.text_style = self._style(alignment=wrap)
        self.money_style = self._style(number_format="#,##0.00", alignment=top)

    def _style(self, **attributes):
        cell = self.Cell(self.ws, row=1, column=1)
        for name, value in attributes.items():
            setattr(cell, name, value)
        return cell._style

    def _text(self, value: str, style):
        # Never a formula: a customer's text starting with "=" stays text in the auditor's Excel.
        return set_text(self.Cell(self.ws, row=1, column=1, style_array=style), value)

    def header(self, value):
        return self._text(str(value), self.header_style)

    def title(self, value, big=False):
        return self._text(str(value), self.title_big_style if big else self.title_style)

    def text_cell(self, value: str):
        return self._text(value, self.text_style)

    def money(self, value):
        return self.Cell(self.ws, row=1, column=1, value=value, style_array=self.money_style)


def _row_values(columns: Sequence[Column], obj, maker: _CellMaker) -> list:
    out = []
    for c in columns:
        value = c.value(obj)
        if value is None:
            out.append(None)
        elif isinstance(value, str):
            out.append(maker.text_cell(value))
        elif c.kind == "money":
            out.append(maker.money(value))
        else:
            out.append(value)  # numbers and dates unstyled: a style per cell costs openpyxl ~20 µs
    return out


def write_list_xlsx(
    *,
    out,
    columns: Sequence[Column],
    objects: Iterable,
    title_rows: Sequence[str] = (),
    sheet_title: str = "",
    landscape: bool | None = None,
    engine: str | None = None,
) -> int:
    """Write a list to `out` (a path or binary file) in bounded memory; returns the row count.

    Letterhead lines first, then one header row (frozen, with an autofilter), then one row per object;
    text wraps, every str is stored as text (nhcs.sheets.excel_text).
    engine: "stream" (default, nhcs.sheets.xlsx_stream) or "openpyxl" (its write-only mode), or
    settings.NHCS_XLSX_LIST_ENGINE.
    """
    engine = engine or getattr(settings, "NHCS_XLSX_LIST_ENGINE", "stream")
    if landscape is None:
        landscape = len(columns) > 6
    if engine == "openpyxl":
        return _write_list_openpyxl(
            out=out,
            columns=columns,
            objects=objects,
            title_rows=title_rows,
            sheet_title=sheet_title,
            landscape=landscape,
        )
    from .xlsx_stream import SheetStream

    stream = SheetStream(
        out,
        sheet_name=sheet_title_for_excel(sheet_title),
        widths=[c.excel_width for c in columns],
        money_columns=[i for i, c in enumerate(columns) if c.kind == "money"],
        landscape=landscape,
    )
    try:
        stream.begin(title_rows=[str(line) for line in title_rows], header=[str(c.label) for c in columns])
        getters = [c.value for c in columns]
        append = stream.append
        with export_timezone():
            for obj in objects:
                append([get(obj) for get in getters])
        return stream.close()
    finally:
        stream.discard()


def _write_list_openpyxl(*, out, columns, objects, title_rows, sheet_title, landscape) -> int:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title_for_excel(sheet_title))
    for index, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = c.excel_width
    header_row = len(title_rows) + 1
    ws.freeze_panes = f"A{header_row + 1}"
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # written with the sheet's head, before the rows
    maker = _CellMaker(ws)
    for index, line in enumerate(title_rows):
        ws.append([maker.title(line, big=index == 0)])
    ws.append([maker.header(c.label) for c in columns])
    count = 0
    with export_timezone():
        for obj in objects:
            ws.append(_row_values(columns, obj, maker))
            count += 1
    last = get_column_letter(max(len(columns), 1))
    ws.auto_filter.ref = f"A{header_row}:{last}{header_row + max(count, 1)}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    wb.save(out)
    return count


def xlsx_response(fh, filename: str) -> FileResponse:
    fh.seek(0)
    response = FileResponse(fh, content_type=XLSX_MIME)
    response["Content-Disposition"] = _disposition(filename, "xlsx")
    return response


# --- filters -------------------------------------------------------------------------------------------


def filter_description(filterset) -> list[str]:
    """The filters a user applied, as "label: value" lines for the sheet's header."""
    lines = []
    data = getattr(filterset.form, "cleaned_data", {}) or {}
    for name, f in filterset.filters.items():
        value = data.get(name)
        if value in (None, "", [], ()) or (hasattr(value, "start") and value.start is None and value.stop is None):
            continue
        form_field = filterset.form.fields.get(name)
        if hasattr(value, "start") and hasattr(value, "stop"):  # a range
            shown = f"{value.start or ''} – {value.stop or ''}"
        elif isinstance(value, (list, tuple, set)) or hasattr(value, "__iter__") and not isinstance(value, str):
            shown = ", ".join(_choice_label(form_field, v) for v in value)
        else:
            shown = _choice_label(form_field, value)
        label = (form_field.label if form_field is not None and form_field.label else f.label) or name
        lines.append(f"{label}: {shown}")
    return lines


def _choice_label(form_field, value) -> str:
    choices = getattr(form_field, "choices", None)
    if choices and not hasattr(value, "pk"):
        try:
            return str(dict((str(k), v) for k, v in choices).get(str(value), value))
        except (TypeError, ValueError):
            pass
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


class FilterError(Exception):
    def __init__(self, errors):
        super().__init__("invalid filters")
        self.errors = errors


def apply_filters(*, request, queryset, filterset_class):
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        raise FilterError(filterset.errors)
    return filterset.qs, filterset


# --- the two entry points ------------------------------------------------------------------------------


def _check_format(fmt: str) -> str:
    fmt = (fmt or "").lower()
    if fmt not in FORMATS:
        raise Http404("Unknown export format")
    return fmt


def _refusal(request, message: str, details: Sequence[str] = (), status: int = 400) -> HttpResponse:
    from django.shortcuts import render

    back = request.META.get("HTTP_REFERER", "")
    from django.utils.http import url_has_allowed_host_and_scheme

    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return render(
        request, "sheets/export_refused.html", {"message": message, "details": details, "back": back}, status=status
    )


def _excel_rows(sheet: ListSheet, queryset):
    """The rows of a list in Excel: the sheet's own reader if it has one, else the model instances in chunks."""
    if sheet.excel_rows is not None:
        return sheet.excel_rows(queryset)
    return queryset.iterator(chunk_size=2000)


def export_list(*, request, sheet: ListSheet, queryset, fmt: str, filename: str, filterset_class=None):
    """Export a list (see the module docstring); returns an HttpResponse/FileResponse."""
    fmt = _check_format(fmt)
    filters: list[str] = []
    if filterset_class is not None:
        try:
            queryset, filterset = apply_filters(request=request, queryset=queryset, filterset_class=filterset_class)
        except FilterError as exc:
            details = [f"{k}: {' '.join(str(m) for m in v)}" for k, v in exc.errors.items()]
            return _refusal(request, _("The filters are not valid, so nothing was exported."), details)
        filters = filter_description(filterset)
    job = background.current()
    total = None
    if job is None:
        # Long exports are made by the worker; the user follows their progress (nhcs.sheets.background).
        total = queryset.count()
        if total > background.list_threshold(fmt) and (fmt != "pdf" or total <= pdf_max_rows()):
            return background.start(request, filename=filename, fmt=fmt, total=total)
    columns = sheet.columns_for(request.user)
    context = sheet_context(
        form_key=sheet.form_key, request=request, landscape=sheet.landscape, filters=filters, columns=columns
    )
    if fmt == "xlsx" and job is not None:
        with background.writing(job) as out:
            write_list_xlsx(
                out=out,
                columns=sheet.excel_columns_for(request.user),
                objects=background.counting(_excel_rows(sheet, queryset)),
                title_rows=letterhead_lines(
                    context, [_("Filters: %(filters)s") % {"filters": "; ".join(filters)}] if filters else []
                ),
                sheet_title=context["form"].title_zh,
                landscape=sheet.landscape,
            )
        return background.finished(job)
    if fmt == "xlsx":
        extra = [_("Filters: %(filters)s") % {"filters": "; ".join(filters)}] if filters else []
        fh = tempfile.TemporaryFile(suffix=".xlsx")
        try:
            write_list_xlsx(
                out=fh,
                columns=sheet.excel_columns_for(request.user),
                objects=_excel_rows(sheet, queryset),
                title_rows=letterhead_lines(context, extra),
                sheet_title=context["form"].title_zh,
                landscape=sheet.landscape,
            )
        except BaseException:
            fh.close()
            raise
        return xlsx_response(fh, filename)
    total = queryset.count() if total is None else total
    if total > pdf_max_rows():
        return _refusal(
            request,
            _("%(count)s rows are too many for a PDF (at most %(max)s). Narrow the filters or export to Excel.")
            % {"count": total, "max": pdf_max_rows()},
            status=413,
        )
    rows = []
    groups: list[tuple[str, list]] = []
    group_by = sheet.group_by if sheet.group_by is not None and sheet.group_by.is_visible_to(request.user) else None
    with export_timezone():
        for obj in background.counting(queryset) if job is not None else queryset:
            row = [(c.kind, display_value(c.raw(obj), c.kind)) for c in columns]
            rows.append(row)
            heading = display_value(group_by.raw(obj), group_by.kind) if group_by is not None else ""
            if not groups or groups[-1][0] != heading:
                groups.append((heading, []))
            groups[-1][1].append(row)
    total_width = sum(c.excel_width for c in columns) or 1
    widths = [f"{100 * c.excel_width / total_width:.1f}" for c in columns]
    context.update(
        {
            "rows": rows,
            "groups": groups,
            "row_count": len(rows),
            "column_widths": widths,
            "group_label": group_by.label if group_by is not None else "",
        }
    )
    if job is not None:
        data = render_pdf_bytes(sheet.template, context)
        with background.writing(job) as out:
            out.write(data)
        return background.finished(job)
    return pdf_response(render_pdf_bytes(sheet.template, context), filename)


def record_context(*, request, sheet: RecordSheet, record, context: dict | None = None) -> dict:
    """Everything a record sheet prints: letterhead, fields with change marks, signature boxes."""
    changes = change_marks(record=record)
    base = sheet_context(
        form_key=sheet.form_key,
        request=request,
        record_number=getattr(record, "number", "") or "",
        landscape=sheet.landscape,
        record=record,
        changes=changes,
    )
    base["fields"] = field_rows(record=record, columns=sheet.fields_for(record, request.user), changes=changes)
    if hasattr(record, "flow"):
        base["signature_boxes"] = fill_signature_boxes(record=record, boxes=sheet.signature_boxes)
        base["earlier_rounds"] = earlier_rounds(record=record)
    else:
        base["signature_boxes"] = []
        base["earlier_rounds"] = []
    if context:
        base.update(context)
    return base


def export_record(
    *, request, sheet: RecordSheet, record, fmt: str, context: dict | None = None, filename: str | None = None
):
    """Export one record (see the module docstring)."""
    fmt = _check_format(fmt)
    filename = filename or str(getattr(record, "number", "") or f"record-{record.pk}")
    job = background.current()
    if job is None and sheet.size is not None:
        size = sheet.size(record)
        if size > background.record_threshold():
            return background.start(request, filename=filename, fmt=fmt, total=size)
    full = record_context(request=request, sheet=sheet, record=record, context=context)
    if job is not None:
        with background.writing(job) as out:
            if fmt == "pdf":
                out.write(render_pdf_bytes(sheet.pdf_template, full))
            else:
                write_record_xlsx(out=out, sheet=sheet, record=record, context=full, request=request)
        background.progress(job.rows_total)
        return background.finished(job)
    if fmt == "pdf":
        return pdf_response(render_pdf_bytes(sheet.pdf_template, full), filename)
    fh = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        write_record_xlsx(out=fh, sheet=sheet, record=record, context=full, request=request)
    except BaseException:
        fh.close()
        raise
    return xlsx_response(fh, filename)


def write_record_xlsx(*, out, sheet: RecordSheet, record, context: dict, request=None) -> None:
    """A record sheet in Excel, like its PDF: letterhead, body (the sheet's xlsx_builder, or its fields
    with their change marks), signature boxes; A4 landscape, one page wide. Every str is stored as text."""
    wb = new_workbook()
    ws = wb.active
    ws.title = sheet_title_for_excel(context["form"].title_zh)
    write_letterhead(ws, letterhead_lines(context))
    set_widths(ws)
    ws.append([])
    if sheet.xlsx_builder is not None:
        sheet.xlsx_builder(ws=ws, record=record, context=context, request=request)
    else:
        header = write_field_rows(ws, context["fields"])
        ws.freeze_panes = f"A{header + 1}"
    if context.get("signature_boxes"):
        signature_table(ws, context["signature_boxes"])
    print_setup(ws, context=context, landscape=True)
    save_workbook(wb, out)


def change_note(marks: Sequence[Mark]) -> str:
    """A field's change marks (划改) as one line: old → new (date user reason); ..."""
    notes = []
    for m in marks:
        about = " ".join(x for x in (f"{timezone.localtime(m.when):%Y-%m-%d}", str(m.user or ""), m.reason) if x)
        notes.append(f"{m.old} → {m.new} ({about})")
    return "; ".join(notes)


def write_field_rows(ws, fields: Sequence[FieldRow]) -> int:
    """The record's fields as a table: label, value (typed), changes struck through on paper; returns
    the row of the table's header."""
    header = table_header(ws, _("Field"), _("Value"), _("Changes (struck through on paper)"))
    for row in fields:
        formats = {2: "#,##0.00"} if row.kind == "money" and row.cell is not None else None
        table_row(ws, [str(row.label), row.cell, change_note(row.marks) or None], formats=formats)
    return header
