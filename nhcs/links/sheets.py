"""The customer's written answer through a link, printed on the letterhead (nhcs.sheets) for the file."""

from __future__ import annotations

from collections.abc import Sequence

from nhcs.sheets.export import render_pdf_bytes, sheet_context

from .models import CustomerLink
from .selectors import written_answer


def written_answer_pdf(
    *,
    link: CustomerLink,
    form_key: str,
    request=None,
    record_number: str = "",
    heading: str = "",
    lines: Sequence[tuple[str, str]] = (),
) -> bytes:
    """`lines`: what was answered, as (label, value) pairs (e.g. the date the customer confirmed)."""
    answer = written_answer(link)
    if answer is None:
        raise ValueError("The link has not been answered.")
    context = sheet_context(
        form_key=form_key,
        request=request,
        record_number=record_number,
        answer=answer,
        customer=link.customer,
        heading=heading,
        lines=list(lines),
    )
    return render_pdf_bytes("links/written_answer.html", context)
