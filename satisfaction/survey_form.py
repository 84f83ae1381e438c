"""The customer satisfaction survey form 顾客满意度调查表 (NH-QP14 annex table 1) as a printable PDF.

Blank (served at satisfaction:survey_form_blank, /sheets/survey-form/blank.pdf) or pre-addressed and
filled in (satisfaction.sheets):

    from satisfaction.survey_form import survey_form_pdf
    pdf = survey_form_pdf(request=request, to=customer.display_name, aspects=campaign_aspects,
                          ticks=campaign_ticks, answers={"quality": "very_satisfied", ...},
                          comments=response.comments, signed_by=response.signed_by,
                          signed_on=response.signed_on, record_number=response.number)

aspects: (key, Chinese, English) triples; ticks: (key, Chinese, English[, points]) tuples, best first;
answers: {aspect key: tick key}. The form is bilingual whatever the user's language: Chinese labels
with English beneath, as customers of both languages receive the same sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.translation import override

from nhcs.sheets.export import page_label_css, render_pdf_bytes, sheet_context

from .defaults import DEFAULT_ASPECTS, DEFAULT_TICKS, GREETING_EN, GREETING_ZH

FORM_KEY = "survey_form"
TEMPLATE = "satisfaction/sheets/survey_form.html"


def survey_form_context(
    *,
    request=None,
    to: str = "",
    aspects: Sequence[Sequence] | None = None,
    ticks: Sequence[Sequence] | None = None,
    answers: dict[str, str] | None = None,
    comments: str = "",
    signed_by: str = "",
    signed_on: date | None = None,
    greeting_zh: str | None = None,
    greeting_en: str | None = None,
    record_number: str = "",
    online_answer=None,
) -> dict:
    answers = answers or {}
    ticks = [tuple(t) for t in (ticks or DEFAULT_TICKS)]
    rows = []
    for index, (key, label_zh, label_en, *_rest) in enumerate(aspects or DEFAULT_ASPECTS, start=1):
        chosen = answers.get(key)
        rows.append(
            {
                "no": index,
                "key": key,
                "zh": label_zh,
                "en": label_en,
                "cells": [{"key": t[0], "ticked": t[0] == chosen} for t in ticks],
            }
        )
    return sheet_context(
        form_key=FORM_KEY,
        request=request,
        record_number=record_number,
        to=to,
        aspects=rows,
        ticks=[{"key": t[0], "zh": t[1], "en": t[2]} for t in ticks],
        comments=comments,
        signed_by=signed_by,
        signed_on=signed_on,
        greeting_zh=GREETING_ZH if greeting_zh is None else greeting_zh,
        greeting_en=GREETING_EN if greeting_en is None else greeting_en,
        # nhcs.links.selectors.WrittenAnswer of a form answered through the customer's link
        online_answer=online_answer,
        # Bilingual page numbers: the customer reads Chinese or English.
        page_label_css=page_label_css("第 {page} 页 共 {pages} 页 · Page {page} of {pages}"),
    )


def survey_form_pdf(**kwargs) -> bytes:
    """The survey form as PDF bytes; keyword arguments as survey_form_context."""
    # The letterhead titles pick Chinese first; the template prints both languages itself.
    with override("zh-hans"):
        return render_pdf_bytes(TEMPLATE, survey_form_context(**kwargs))
