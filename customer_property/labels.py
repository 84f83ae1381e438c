"""Status labels of customer property (4.8.3, "mark the status"): number, name, customer, status and a QR
code that opens the item's phone page. Printed on A4 sheets (several labels per page) or one label per page
for a label printer. The QR code is drawn by segno as SVG, embedded in the PDF (no network, no file)."""

from __future__ import annotations

import segno
from django.utils import timezone, translation

from nhcs.sheets.export import render_pdf_bytes, sheet_context

# Page and label sizes in millimetres.
SIZES = {
    # 2 × 5 labels of 95 × 54 mm on an A4 sheet.
    "a4": {"page": "210mm 297mm", "columns": 2, "rows": 5, "width": 95, "height": 54, "margin": "10mm 10mm"},
    # One 100 × 60 mm label per page (a label printer's roll).
    "single": {"page": "100mm 60mm", "columns": 1, "rows": 1, "width": 100, "height": 60, "margin": "0"},
}


def qr_svg_uri(text: str) -> str:
    """The QR code of `text` as an SVG data URI (error correction M: survives a scratched label)."""
    return segno.make(text, error="m", micro=False).svg_data_uri(scale=4, border=2)


def _in(language: str, text) -> str:
    with translation.override(language):
        return str(text)


def label_rows(items) -> list[dict]:
    """What each label prints: the status in Chinese and English (the shop floor reads both)."""
    from .choices import ItemState

    rows = []
    for item in items:
        state = ItemState(item.state).label
        rows.append(
            {
                "item": item,
                "status_zh": _in("zh-hans", state),
                "status_en": _in("en", state),
                "kind_zh": _in("zh-hans", item.get_kind_display()),
                "qr": qr_svg_uri(item.scan_link()),
                "obsolete": getattr(item, "is_obsolete", False),
                "location": getattr(item, "current_location", None),
            }
        )
    return rows


def labels_pdf(*, items, size: str = "a4", request=None) -> bytes:
    """Labels of the items: an A4 sheet of ten, or one label per page ("single")."""
    layout = SIZES.get(size, SIZES["a4"])
    rows = label_rows(items)
    per_page = layout["columns"] * layout["rows"]
    pages = [rows[i : i + per_page] for i in range(0, len(rows), per_page)] or [[]]
    context = sheet_context(
        form_key="customer_property_register",
        request=request,
        layout=layout,
        size=size,
        pages=pages,
        printed_on=timezone.localdate(),
    )
    return render_pdf_bytes("customer_property/sheets/labels.html", context)
