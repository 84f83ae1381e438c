"""Record sheets of the complaints area, on the shared mechanism (nhcs.sheets):

- 顾客投诉记录表 (the customer complaint record, NH-QP14 6.4, document NH-QP14-04): one complaint with its
  delivery, investigation, actions, verification, replies, effectiveness and costs, and the signature
  boxes of its current round (a record sheet, Excel and PDF);
- 顾客投诉一览表 (the complaint log, NH-QP14-19): the complaints as listed, with the list's filters;
- the 8D report (NH-QP14-20) for customers who ask for one, and the reply letter (NH-QP14-21), both in
  the customer's language on the letterhead;
- 顾客投诉统计分析 (the analysis, NH-QP14-22): the figures and charts of the analysis page, as SVG;
- 忠告性通知 (the advisory notice as a letter, NH-QP14-23) in each customer's language on the letterhead;
- 忠告性通知记录 (the notice record with its acknowledgement table, NH-QP14-24), Excel and PDF;
- 质量信息反馈一览表 (the after-sales feedback log, NH-QP14-25): the feedback as listed.
"""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nhcs.sheets.declarations import Column, ListSheet, RecordSheet, SignatureBox, choice_label
from nhcs.sheets.export import render_pdf_bytes, sheet_context, write_field_rows
from nhcs.sheets.xlsx_record import MONEY_FORMAT, note, section, table_header, table_row
from nhcs.workflow.choices import Action
from nhcs.workflow.flow import list_text

from . import charts
from .choices import (
    AckChannel,
    AckState,
    Category,
    ComplaintState,
    CustomerMeasure,
    FeedbackSource,
    FeedbackState,
    Sentiment,
    Severity,
    SixM,
)
from .flow import FIRST_REPLY_TRANSITIONS, complaint_actions
from .models import AdvisoryNotice, Complaint


def _qty(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value.normalize()


def _delivery(c: Complaint) -> str:
    parts = [c.order_number, c.delivery_note, f"{c.shipped_on:%Y-%m-%d}" if c.shipped_on else ""]
    return " · ".join(p for p in parts if p)


def _investigators(c: Complaint) -> str:
    return list_text(u.signature_name for u in c.investigators.all())


def _defect(c: Complaint) -> str:
    return str(c.defect) if c.defect_id else ""


def _first_reply(c: Complaint) -> str:
    if c.first_replied_on is None:
        return ""
    return f"{c.first_replied_on:%Y-%m-%d} · {c.get_first_reply_channel_display()}"


def _reply(c: Complaint) -> str:
    if c.replied_on is None:
        return ""
    return f"{c.replied_on:%Y-%m-%d} · {c.get_reply_channel_display()}"


# --- 顾客投诉一览表: the complaint log -------------------------------------------------------------------

COMPLAINT_LOG = ListSheet(
    "complaint_log",
    [
        Column("number", _("Number"), "number", width=14),
        Column("received", _("Received"), "received_at", kind="date"),
        Column("customer", _("Customer"), "customer.code", width=10),
        Column("channel", _("Received by"), "get_channel_display", width=8),
        Column("category", _("Category"), choice_label("category", Category.choices), width=10),
        Column("defect", _("Defect"), _defect, width=18),
        Column("severity", _("Severity"), choice_label("severity", Severity.choices), width=8),
        Column("part", _("Product"), "part_number", width=14),
        Column("lot", _("Lot"), "lot", width=12),
        Column("order", _("Order"), "order_number", width=14),
        Column("affected", _("Affected"), lambda c: _qty(c.quantity_affected), kind="number"),
        Column("description", _("Description"), "description", width=30),
        Column("root_cause", _("Root cause"), "root_cause", width=26),
        Column("repeat", _("Repeat"), lambda c: gettext("repeat") if getattr(c, "is_repeat", False) else "", width=8),
        Column("reply_due", _("First reply due"), "reply_due_on", kind="date"),
        Column("first_reply", _("First reply"), "first_replied_on", kind="date"),
        Column("cost", _("Cost (CNY)"), "cost_total", kind="money"),
        Column("state", _("State"), choice_label("state", ComplaintState.choices), width=14),
        Column("closed", _("Closed on"), "closed_on", kind="date"),
    ],
    landscape=True,
)


# --- 顾客投诉记录表: one complaint ------------------------------------------------------------------------


def record_context(complaint: Complaint) -> dict:
    """What the record sheet prints besides its fields: investigation, actions, costs, repeats."""
    costs = list(complaint.costs.order_by("incurred_on", "pk"))
    return {
        "actions": complaint_actions(complaint),
        "costs": costs,
        "cost_total": sum((c.amount for c in costs), start=0),
        "links": list(complaint.links.select_related("earlier").order_by("earlier__received_at")),
        "whys": complaint.whys,
        "six_m": complaint.six_m,
    }


def complaint_xlsx(*, ws, record, context, request=None) -> None:
    """The Excel body of the complaint record, as its PDF (complaints/sheets/complaint.html) prints it; the
    signature boxes follow (added by nhcs.sheets)."""
    write_field_rows(ws, context["fields"])
    section(ws, gettext("Root cause: 5-Why"))
    for i, why in enumerate(context["whys"], start=1):
        table_row(ws, [gettext("Why? (%(n)s)") % {"n": i}, why])
    if not context["whys"]:
        note(ws, gettext("Not investigated yet."))
    section(ws, gettext("Root cause: 6M"))
    for code, label, findings in context["six_m"]:
        mark = " ★" if code == record.cause_category else ""
        table_row(ws, [f"{label}{mark}", findings])
    section(ws, gettext("Corrective and preventive actions"))
    table_header(
        ws,
        gettext("Number"),
        gettext("Kind"),
        gettext("Title"),
        gettext("Owner department"),
        gettext("Measures"),
        gettext("Due on"),
        gettext("State"),
        gettext("Effectiveness"),
    )
    for a in context["actions"]:
        table_row(
            ws,
            [
                a.number,
                a.get_kind_display(),
                a.display_title,
                str(a.owner_department),
                a.measures or None,
                a.due_on,
                a.state_label,
                a.effectiveness or None,
            ],
        )
    if not context["actions"]:
        note(ws, gettext("No actions raised yet."))
    if context["costs"]:
        section(ws, gettext("Cost of the complaint"))
        table_header(ws, gettext("Kind of cost"), gettext("Amount (CNY)"), gettext("Date"), gettext("Note"))
        for cost in context["costs"]:
            table_row(
                ws,
                [cost.get_kind_display(), cost.amount, cost.incurred_on, cost.note or None],
                formats={2: MONEY_FORMAT},
            )
        table_row(ws, [gettext("Total cost"), context["cost_total"], None, None], formats={2: MONEY_FORMAT})
    if context["links"]:
        section(ws, gettext("Repeats earlier complaints"))
        for link in context["links"]:
            table_row(ws, [link.earlier.number, link.earlier.record_title()])


COMPLAINT_RECORD = RecordSheet(
    "complaint_record",
    "complaints/sheets/complaint.html",
    signature_boxes=[
        SignatureBox(_("Investigators assigned (owner)"), actions=(Action.ISSUE,), transitions=("assign",)),
        SignatureBox(_("First reply (Sales)"), actions=(Action.CONFIRM,), transitions=FIRST_REPLY_TRANSITIONS),
        SignatureBox(_("Containment (investigators)"), actions=(Action.CONFIRM,), transitions=("contain",)),
        SignatureBox(
            _("Root cause and actions (investigators)"), actions=(Action.SUBMIT,), transitions=("submit_investigation",)
        ),
        SignatureBox(_("Verified (Quality)"), actions=(Action.VERIFY,), transitions=("verify",)),
        SignatureBox(_("Replied to the customer (Sales)"), actions=(Action.CONFIRM,), transitions=("reply",)),
        SignatureBox(_("Effectiveness checked, closed (Quality)"), actions=(Action.CLOSE,), transitions=("close",)),
    ],
    fields=[
        Column("customer", _("Customer"), lambda c: str(c.customer)),
        Column("contact", _("Contact"), lambda c: " · ".join(x for x in (c.contact_name, c.contact_detail) if x)),
        Column("channel", _("Received by"), "get_channel_display"),
        Column("received_at", _("Received at"), "received_at", kind="datetime"),
        Column("registered", _("Registered by"), lambda c: c.created_by.signature_name),
        Column("call_notes", _("Write-up of the phone call"), "call_notes"),
        Column("delivery", _("Delivery (order · delivery note · shipped)"), _delivery),
        Column("part_number", _("Product (part number)"), "part_number"),
        Column("lot", _("Lot / batch"), "lot"),
        Column("quantity_delivered", _("Quantity delivered"), lambda c: _qty(c.quantity_delivered), kind="number"),
        Column("quantity_affected", _("Quantity affected"), lambda c: _qty(c.quantity_affected), kind="number"),
        Column("quantity_returned", _("Quantity returned"), lambda c: _qty(c.quantity_returned), kind="number"),
        Column("rma_number", _("RMA number"), "rma_number"),
        Column("category", _("Category"), "get_category_display"),
        Column("defect", _("Defect"), _defect),
        Column("severity", _("Severity"), "get_severity_display"),
        Column("description", _("Description of the complaint"), "description"),
        Column("customer_request", _("Customer's request"), "customer_request"),
        Column("report_8d_requested", _("The customer asks for an 8D report"), "report_8d_requested", kind="bool"),
        Column("reply_due_on", _("First reply due on"), "reply_due_on", kind="date"),
        Column("report_8d_due_on", _("8D report due on"), "report_8d_due_on", kind="date"),
        Column("investigators", _("Investigators"), _investigators),
        Column("containment", _("Containment actions"), "containment"),
        Column("contained_on", _("Contained on"), "contained_on", kind="date"),
        Column("cause_category", _("Category of the root cause (6M)"), "get_cause_category_display"),
        Column("root_cause", _("Root cause"), "root_cause"),
        Column("first_reply", _("First reply"), _first_reply),
        Column("verification_report", _("Verification report"), "verification_report"),
        Column("verified_on", _("Verified on"), "verified_on", kind="date"),
        Column("effectiveness_criterion", _("Effectiveness criterion"), "effectiveness_criterion"),
        Column("effectiveness_check_on", _("Effectiveness checked on or after"), "effectiveness_check_on", kind="date"),
        Column("reply", _("Reply to the customer"), _reply),
        Column("reply_summary", _("Remarks on the reply"), "reply_summary"),
        Column("effectiveness_result", _("Effectiveness found"), "effectiveness_result"),
        Column("closed_on", _("Closed on"), "closed_on", kind="date"),
        Column("state", _("State"), "state_label"),
    ],
    xlsx_builder=complaint_xlsx,
)


# --- documents for the customer, in the customer's language ---------------------------------------------


def _customer_context(complaint: Complaint, *, form_key: str, request=None, **extra) -> dict:
    actions = complaint_actions(complaint)
    return sheet_context(
        form_key=form_key,
        request=request,
        record_number=complaint.number,
        complaint=complaint,
        customer=complaint.customer,
        defect=complaint.defect.name_in(translation.get_language()) if complaint.defect_id else "",
        whys=complaint.whys,
        six_m=[(code, str(SixM(code).label), text) for code, _label, text in complaint.six_m],
        corrective=[a for a in actions if a.kind == "corrective" and a.state != "cancelled"],
        preventive=[a for a in actions if a.kind == "preventive" and a.state != "cancelled"],
        today=timezone.localdate(),
        **extra,
    )


def report_8d_pdf(complaint: Complaint, request=None) -> bytes:
    """The 8D report (D1 team … D8 closure) filled from the complaint, in the customer's language."""
    from nhcs.workflow.models import SignOff

    with translation.override(complaint.customer.language):
        signoffs = list(SignOff.objects.for_record(complaint).select_related("user").order_by("signed_at", "pk"))
        owner = next((s.user for s in reversed(signoffs) if s.transition == "assign"), None)
        closer = next((s.user for s in reversed(signoffs) if s.transition == "close"), None)
        context = _customer_context(
            complaint,
            form_key="complaint_8d",
            request=request,
            owner=owner,
            closer=closer,
            team=list(complaint.investigators.select_related("department")),
        )
        return render_pdf_bytes("complaints/sheets/report_8d.html", context)


def reply_letter_pdf(complaint: Complaint, request=None) -> bytes:
    """The reply to the customer (4.6.3): the complaint, its cause, the actions and the verification, on
    the letterhead, in the customer's language."""
    with translation.override(complaint.customer.language):
        context = _customer_context(
            complaint,
            form_key="complaint_reply_letter",
            request=request,
            letter_date=complaint.replied_on or timezone.localdate(),
        )
        return render_pdf_bytes("complaints/sheets/reply_letter.html", context)


# --- the analysis ------------------------------------------------------------------------------------------


def analysis_charts(result) -> dict:
    """SVG geometry of the analysis charts (the same figures as the page's)."""
    every = max(1, len(result.by_month) // 12)
    return {
        "month_chart": charts.vbars([(m[2:], n) for m, n in result.by_month], label_every=every),
        "category_chart": charts.vbars([(label, n) for _c, label, n in result.by_category], width=300),
        "pareto_chart": charts.vbars(
            [(label.split(" ")[0], n) for label, n, _cum in result.pareto[:10]],
            line=[cum for _l, _n, cum in result.pareto[:10]],
        ),
        "customer_chart": charts.hbars([(f"{code} {name}", n) for code, name, n in result.by_customer]),
        "cost_chart": charts.vbars(
            [(m[2:], float(v)) for m, v in result.cost_by_month],
            label_every=max(1, len(result.cost_by_month) // 12),
            counts=False,
        ),
    }


def analysis_pdf(*, request, result, filters: list[str]) -> bytes:
    context = sheet_context(
        form_key="complaint_analysis",
        request=request,
        landscape=True,
        analysis=result,
        filters=filters,
        **analysis_charts(result),
    )
    return render_pdf_bytes("complaints/sheets/analysis.html", context)


# --- 质量信息反馈一览表: the after-sales feedback log (4.5) --------------------------------------------------

FEEDBACK_LOG = ListSheet(
    "feedback_log",
    [
        Column("number", _("Number"), "number", width=14),
        Column("received", _("Received"), "received_at", kind="date"),
        Column("customer", _("Customer"), "customer.code", width=10),
        Column("contact", _("Contact"), "contact_name", width=12),
        Column("source", _("Source"), choice_label("source", FeedbackSource.choices), width=12),
        Column("sentiment", _("Tone"), choice_label("sentiment", Sentiment.choices), width=8),
        Column("order", _("Order"), "order_number", width=14),
        Column("part", _("Product"), "part_number", width=14),
        Column("lot", _("Lot"), "lot", width=12),
        Column("text", _("What the customer said"), "text", width=40),
        Column("complaint", _("Complaint"), lambda f: getattr(getattr(f, "complaint", None), "number", ""), width=14),
        Column("outcome", _("What was done"), "outcome", width=30),
        Column("state", _("State"), choice_label("state", FeedbackState.choices), width=10),
    ],
    landscape=True,
)


# --- 忠告性通知: the advisory notice, its record and its letter (4.5) ------------------------------------------


def _ack_rows(acks) -> list[list]:
    rows = []
    for a in acks:
        rows.append(
            [
                a.number,
                f"{a.customer.code} {a.customer.display_name}",
                a.state_label,
                a.acknowledged_on,
                a.acknowledged_by or None,
                str(AckChannel(a.channel).label) if a.channel else None,
                a.reply or a.reason or None,
            ]
        )
    return rows


def _ack_headers() -> list[str]:
    return [
        gettext("Number"),
        gettext("Customer"),
        gettext("State"),
        gettext("Acknowledged on"),
        gettext("Acknowledged by (customer)"),
        gettext("By way of"),
        gettext("Reply, or why not acknowledged"),
    ]


def advisory_context(notice: AdvisoryNotice) -> dict:
    from .selectors import acknowledgements_of

    acks = acknowledgements_of(notice)
    return {
        "acks": acks,
        "ack_headers": _ack_headers(),
        "ack_rows": _ack_rows(acks),
        "ack_done": sum(1 for a in acks if a.state == AckState.ACKNOWLEDGED),
    }


def advisory_xlsx(*, ws, record, context, request=None) -> None:
    write_field_rows(ws, context["fields"])
    section(ws, gettext("Customers and their acknowledgements"))
    table_header(ws, *context["ack_headers"])
    for row in context["ack_rows"]:
        table_row(ws, row)
    if not context["ack_rows"]:
        note(ws, gettext("Not sent yet."))


def _lines_text(values: list[str]) -> str:
    return list_text(values)


ADVISORY_RECORD = RecordSheet(
    "advisory_record",
    "complaints/sheets/advisory.html",
    signature_boxes=[
        SignatureBox(_("Drafted"), actions=(Action.SUBMIT,), transitions=("submit",)),
        SignatureBox(_("Reviewed (Quality head)"), actions=(Action.REVIEW,), transitions=("review",)),
        SignatureBox(_("Approved (deputy GM in charge)"), actions=(Action.APPROVE,), transitions=("approve",)),
        SignatureBox(_("Sent to the customers"), actions=(Action.ISSUE,), transitions=("send",)),
        SignatureBox(_("Closed"), actions=(Action.CLOSE,), transitions=("close",)),
    ],
    fields=[
        Column("subject", _("Subject"), "subject"),
        Column("reason", _("What was found"), "reason"),
        Column("parts", _("Affected products (part numbers)"), lambda n: _lines_text(n.part_list)),
        Column("lots", _("Affected lots"), lambda n: _lines_text(n.lot_list)),
        Column("measure", _("What the customers must do"), "get_measure_display"),
        Column("instructions", _("Instructions to the customers"), "instructions"),
        Column("respond_by", _("Deadline"), "respond_by", kind="date"),
        Column("shipped_from", _("Shipped from"), "shipped_from", kind="date"),
        Column("shipped_to", _("Shipped to"), "shipped_to", kind="date"),
        Column("drafted_by", _("Drafted by"), lambda n: n.created_by.signature_name),
        Column("sent_on", _("Sent on"), "sent_on", kind="date"),
        Column("closed_on", _("Closed on"), "closed_on", kind="date"),
        Column("state", _("State"), "state_label"),
    ],
    xlsx_builder=advisory_xlsx,
    size=lambda n: n.acknowledgements.count(),
)


def advisory_letter_pdf(notice: AdvisoryNotice, *, customer=None, ack=None, language: str = "", request=None) -> bytes:
    """The notice as a letter on the letterhead, in the customer's language (or `language` for a blank
    preview), with the customer's acknowledgement link when there is one."""
    language = language or (customer.language if customer is not None else "") or "zh-hans"
    with translation.override(language):
        context = sheet_context(
            form_key="advisory_letter",
            request=request,
            record_number=notice.number,
            notice=notice,
            customer=customer,
            ack=ack,
            url=ack.link.url if ack is not None and ack.link_id else "",
            measure=_measure_label(notice.measure),
            letter_date=notice.sent_on or timezone.localdate(),
        )
        return render_pdf_bytes("complaints/sheets/advisory_letter.html", context)


def _measure_label(code: str) -> str:
    """The measure's label in the language active now (the letter's)."""
    try:
        return str(CustomerMeasure(code).label)
    except ValueError:
        return code
