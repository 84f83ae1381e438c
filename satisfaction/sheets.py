"""Record sheets of the surveys, declared on nhcs.sheets:

- 顾客满意度调查表 (the survey form, annex table 1): blank with a survey's own questionnaire, addressed
  to the letter/fax customers of the sample for posting, or filled from a customer's answer — PDF through
  satisfaction.survey_form (on the mechanism's PDF base), Excel laid out the same way here.
- 顾客满意度调查统计表 (the statistics sheet, 4.7.4): a RecordSheet of the campaign with its own PDF
  template (charts drawn as inline SVG) and Excel builder, signed by Sales (编制, closing) and the head
  of Sales (批准, "analysed").
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl.styles import Alignment

from nhcs.core import charts
from nhcs.sheets.declarations import Column, ListSheet, RecordSheet, SignatureBox
from nhcs.sheets.excel_text import new_workbook, save_workbook
from nhcs.sheets.export import form_setting, write_field_rows
from nhcs.sheets.models import CompanySettings
from nhcs.sheets.xlsx_record import (
    DATE_FORMAT,
    LOW_FONT,
    WRAP,
    note,
    print_setup,
    section,
    set_widths,
    sheet_title,
    table_header,
    table_row,
    write_letterhead,
)
from nhcs.workflow.choices import Action

from . import scoring
from .choices import Channel
from .survey_form import survey_form_pdf

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the survey form (blank, addressed, filled) ---------------------------------------------------


def _form_rows(campaign, aspects=None, ticks=None):
    aspects = aspects if aspects is not None else list(campaign.aspects.all())
    ticks = ticks if ticks is not None else list(campaign.ticks.all())
    return (
        [(a.key, a.label_zh, a.label_en) for a in aspects],
        [(t.key, t.label_zh, t.label_en, t.points) for t in ticks],
    )


def _customer_name(customer) -> str:
    if customer is None:
        return ""
    if customer.language == "en":
        return customer.name_en or customer.name_zh
    return customer.name_zh or customer.name_en


def _online_answer(response):
    """The written answer kept by the customer's link when the form was answered through it."""
    from nhcs.links.selectors import written_answer

    link = response.recipient.link
    return written_answer(link) if link is not None else None


def form_kwargs(*, campaign, recipient=None, response=None) -> dict:
    """What the survey form prints: the campaign's questionnaire and greeting, addressee, answers."""
    aspects, ticks = _form_rows(campaign)
    kwargs = {
        "aspects": aspects,
        "ticks": ticks,
        "greeting_zh": campaign.greeting_zh,
        "greeting_en": campaign.greeting_en,
        "to": _customer_name(recipient.customer) if recipient else "",
        "record_number": f"{campaign.number}-{recipient.customer.code}" if recipient else campaign.number,
    }
    if response is not None:
        kwargs.update(
            answers={a.aspect.key: a.tick.key for a in response.answers.all()},
            comments=response.comments,
            signed_by=response.signed_name or response.respondent,
            signed_on=response.received_on,
            online_answer=_online_answer(response),
        )
    return kwargs


def survey_form_pdf_bytes(*, request, campaign, recipient=None, response=None) -> bytes:
    return survey_form_pdf(request=request, **form_kwargs(campaign=campaign, recipient=recipient, response=response))


def letters_pdf_bytes(*, request, campaign, recipients: Sequence) -> bytes:
    """One addressed form per customer surveyed by letter or fax, in one file to print."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for recipient in recipients:
        data = survey_form_pdf_bytes(request=request, campaign=campaign, recipient=recipient)
        for page in PdfReader(io.BytesIO(data)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def printed_recipients(campaign) -> list:
    return list(
        campaign.recipients.filter(channel__in=[Channel.LETTER, Channel.FAX])
        .select_related("customer")
        .order_by("customer__code")
    )


# The survey form goes to customers as it is: bilingual labels whatever the user's language, as its PDF.
FORM_PAGE_LABEL = "第 {page} 页 共 {pages} 页 · Page {page} of {pages}"


def _letterhead(ws, form, record_number: str) -> None:
    """The survey form's letterhead, as its PDF: Chinese title, English title, company, document number."""
    company = CompanySettings.load()
    lines = [form.title_zh]
    if form.title_en and form.title_en != form.title_zh:
        lines.append(form.title_en)
    lines.append(" ".join(x for x in (company.name_zh, company.name_en) if x))
    doc = " · ".join(
        x
        for x in [
            f"文件编号 Doc. no. {form.document_number}" if form.document_number else "",
            f"版本 Version {form.version}" if form.version else "",
            f"编号 No. {record_number}" if record_number else "",
        ]
        if x
    )
    write_letterhead(ws, [*lines, doc])
    ws.append([])


def survey_form_xlsx_bytes(*, campaign, recipient=None, response=None) -> bytes:
    """The survey form as a workbook: the same rows and tick columns as the printed form."""
    kwargs = form_kwargs(campaign=campaign, recipient=recipient, response=response)
    form = form_setting("survey_form")
    wb = new_workbook()
    ws = wb.active
    ws.title = sheet_title(form.title_zh)
    _letterhead(ws, form, kwargs["record_number"])
    ws.append(["To:", kwargs["to"]])
    ws.append([kwargs["greeting_zh"]])
    ws.append([kwargs["greeting_en"]])
    for row in (ws.max_row - 1, ws.max_row):
        ws.cell(row=row, column=1).alignment = WRAP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2 + len(kwargs["ticks"]))
        ws.row_dimensions[row].height = 42
    ws.append([])
    header = table_header(
        ws, "序号 No.", "评价项目 Aspect", *[f"{zh} {en} ({points})" for _k, zh, en, points in kwargs["ticks"]]
    )
    for cell in ws[header]:
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    ws.row_dimensions[header].height = 32
    answers = kwargs.get("answers", {})
    for i, (key, zh, en) in enumerate(kwargs["aspects"], start=1):
        row = table_row(ws, [i, f"{zh} {en}"] + ["√" if answers.get(key) == t[0] else None for t in kwargs["ticks"]])
        for cell in ws[row]:
            cell.alignment = Alignment(
                horizontal="center" if cell.column != 2 else "left", vertical="center", wrap_text=True
            )
    ws.freeze_panes = f"A{header + 1}"
    ws.append([])
    table_row(ws, ["意见或建议 Comments and suggestions", kwargs.get("comments", "") or None])
    ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=2 + len(kwargs["ticks"]))
    ws.row_dimensions[ws.max_row].height = 90
    if response is not None:
        table_row(ws, [gettext("Total score"), float(response.total)], formats={2: "0.0"})
        table_row(ws, [gettext("Band"), scoring.band_label(response.band)])
    table_row(ws, ["客户签名 Customer signature", kwargs.get("signed_by", "") or None])
    table_row(ws, ["日期 Date", kwargs.get("signed_on")], formats={2: DATE_FORMAT})
    online = kwargs.get("online_answer")
    if online is not None:
        when = f"{online.answered_at:%Y-%m-%d %H:%M:%S} ({online.time_zone})"
        table_row(ws, ["网上答复 Answered online", f"{online.name or '—'} · {when} · IP {online.ip or '—'}"])
    set_widths(ws, {"A": 16, "B": 40, **{col: 16 for col in "CDEFG"}})
    print_setup(ws, context={"form": form, "record_number": kwargs["record_number"]}, page_label=FORM_PAGE_LABEL)
    out = io.BytesIO()
    save_workbook(wb, out)
    return out.getvalue()


# --- lists ----------------------------------------------------------------------------------------

CAMPAIGN_LIST = ListSheet(
    "survey_list",
    [
        Column("number", _("Number"), "number", width=14),
        Column("title", _("Title"), "title", width=30),
        Column("period", _("Period surveyed"), "period", width=12),
        Column("state", _("State"), "state_label", width=14),
        Column("sent_on", _("Sent on"), "sent_on", kind="date"),
        Column("deadline", _("Answer by"), "response_deadline", kind="date"),
        Column("surveyed", _("Customers surveyed"), "recipient_count", kind="number"),
        Column("answers", _("Answers"), "response_count", kind="number"),
    ],
)

# --- the statistics sheet -------------------------------------------------------------------------


def _num(value):
    return float(value) if isinstance(value, Decimal) else value


def statistics_xlsx(*, ws, record, context, request) -> None:
    """The statistics sheet's body in Excel, as its PDF (satisfaction/sheets/statistics.html) prints it:
    the survey, summary with the previous survey, band legend, per aspect, bands, per customer (answers
    below 'satisfied' in bold red), comments, trend. The charts' figures are the tables' numbers."""
    stats = context["stats"]

    def pct(value):
        return None if value is None else float(value) / 100

    write_field_rows(ws, context["fields"])

    section(ws, gettext("Summary"))
    table_header(ws, gettext("Summary"), gettext("Value"), gettext("Previous survey"))
    if stats.previous:
        table_row(ws, [gettext("Previous survey"), stats.previous.number, stats.previous.period])
    rows = [
        (
            gettext("Customers surveyed"),
            stats.sample_size,
            stats.previous.recipients.count() if stats.previous else None,
            "0",
        ),
        (gettext("Answers"), stats.response_count, None, "0"),
        (gettext("Response rate"), pct(stats.response_rate), pct(stats.previous_response_rate), "0.0%"),
        (gettext("Mean total"), _num(stats.mean_total), _num(stats.previous_mean_total), "0.0"),
        (gettext("Change from the previous survey"), _num(stats.mean_change), None, "+0.0;-0.0;0.0"),
        (gettext("Totals below 60"), stats.low_totals, None, "0"),
    ]
    for label, value, previous, fmt in rows:
        table_row(ws, [label, value, previous], formats={2: fmt, 3: fmt})
    if stats.mean_band:
        table_row(ws, [gettext("Band of the mean total"), scoring.band_label(stats.mean_band), None])

    section(ws, gettext("Bands (4.7.3), decided on the total as shown (one decimal)"))
    for band, rule in scoring.BAND_LEGEND:
        table_row(ws, [scoring.band_label(band), str(rule)])

    section(ws, gettext("Per aspect"))
    table_header(
        ws,
        gettext("Aspect"),
        gettext("Weight"),
        gettext("Mean"),
        gettext("Below 'satisfied'"),
        gettext("Share below 'satisfied'"),
        gettext("Previous survey"),
        gettext("Change from the previous survey"),
    )
    for s in stats.aspects:
        table_row(
            ws,
            [
                f"{s.aspect.label_zh} {s.aspect.label_en}",
                _num(s.aspect.weight),
                _num(s.mean),
                s.below_count,
                pct(s.below_share),
                _num(s.previous_mean),
                _num(s.change),
            ],
            formats={2: "0.00", 3: "0.0", 5: "0.0%", 6: "0.0", 7: "+0.0;-0.0;0.0"},
        )

    section(ws, gettext("Band distribution"))
    table_header(ws, gettext("Band"), gettext("Customers"), gettext("Share"), gettext("Previous survey"))
    for band, label, n, share in stats.bands:
        previous = stats.previous_bands.get(band) if stats.previous else None
        table_row(ws, [label, n, pct(share), previous], formats={3: "0.0%"})

    section(ws, gettext("Per customer"))
    table_header(
        ws,
        gettext("Customer"),
        gettext("Name"),
        *[str(s.aspect) for s in stats.aspects],
        gettext("Total"),
        gettext("Band"),
        gettext("Comments"),
    )
    for r in stats.responses:
        answers = list(r.answers.all())
        table_row(
            ws,
            [
                r.recipient.customer.code,
                r.recipient.customer.display_name,
                *[a.points for a in answers],
                float(r.total),
                scoring.band_label(r.band),
                r.comments or None,
            ],
            formats={3 + len(answers): "0.0"},
            fonts={3 + i: LOW_FONT for i, a in enumerate(answers) if a.below_satisfied},
        )
    if not stats.responses:
        note(ws, gettext("No answers yet."))

    section(ws, gettext("Trend over years"))
    table_header(ws, gettext("Year"), gettext("Mean total"), gettext("Answers"))
    for year, mean, n in stats.trend:
        table_row(ws, [year, float(mean), n], formats={2: "0.0"})


STATISTICS_SHEET = RecordSheet(
    "survey_statistics",
    "satisfaction/sheets/statistics.html",
    signature_boxes=[
        SignatureBox("编制 Prepared", actions=(Action.CLOSE,)),
        SignatureBox("批准 Approved", actions=(Action.APPROVE,), transitions=("analyse",)),
    ],
    fields=[
        Column("title", _("Title"), "title"),
        Column("period", _("Period surveyed"), "period"),
        Column("sent_on", _("Sent on"), "sent_on", kind="date"),
        Column("response_deadline", _("Answer by"), "response_deadline", kind="date"),
        Column("state", _("State"), "state_label"),
    ],
    xlsx_builder=statistics_xlsx,
)


# --- inline SVG bars for the PDF ------------------------------------------------------------------


def hbars(
    items: Sequence[tuple[str, float | None, float | None]], *, width=480, row=22, label_w=110, scale_max=100.0
) -> dict:
    """Geometry of a horizontal bar chart (label, value, previous value) for an SVG in the template."""
    plot = width - label_w - 40
    bars = []
    for i, (label, value, previous) in enumerate(items):
        y = 14 + i * row
        bars.append(
            {
                "label": label,
                "y": y,
                "ty": y + row * 0.62,
                "w": 0 if value is None else round(plot * float(value) / scale_max, 1),
                "pw": None if previous is None else round(plot * float(previous) / scale_max, 1),
                "value": "—" if value is None else f"{value}",
                "vx": label_w + 4 + (0 if value is None else plot * float(value) / scale_max),
            }
        )
    ticks = [{"x": round(label_w + plot * t / 100, 1), "t": int(scale_max * t / 100)} for t in (0, 20, 40, 60, 80, 100)]
    return {
        "width": width,
        "height": 14 + len(items) * row + 16,
        "label_w": label_w,
        "bars": bars,
        "ticks": ticks,
        "row": row - 5,
        "half": (row - 5) / 2,
        "axis_y": 14 + len(items) * row + 10,
    }


def statistics_context(stats) -> dict:
    return {
        "stats": stats,
        "band_legend": [(scoring.band_label(b), rule) for b, rule in scoring.BAND_LEGEND],
        "aspect_chart": hbars([(s.aspect.label_zh, s.mean, s.previous_mean) for s in stats.aspects]),
        # Drawn by the shared charts (nhcs.core.charts): band names wrap or turn rather than collide.
        "band_svg": charts.bar_chart(
            [(label.split(" ")[0], n) for _b, label, n, _s in stats.bands],
            title=gettext("Band distribution"),
            color="#20a070",
            width=220,
            plot_height=110,
        ),
        "trend_svg": charts.bar_chart(
            [(str(y), float(m)) for y, m, _n in stats.trend],
            title=gettext("Trend over years"),
            width=220,
            plot_height=110,
            scale_max=100,
        ),
        "printed_on": timezone.localdate(),
    }
