"""Record sheets of the test-only memo flow: how an area declares its sheets on nhcs.sheets."""

from django.utils.translation import gettext_lazy as _

from nhcs.sheets.declarations import Column, ListSheet, RecordSheet, SignatureBox, choice_label
from nhcs.workflow.choices import Action

from .models import MemoState


def may_see_price_flag(user) -> bool:
    return user.is_superuser or user.is_manager


MEMO_LIST = ListSheet(
    "change_notice",
    [
        Column("number", _("Number"), "number", width=18),
        Column("title", _("Title"), "title", width=30),
        Column("state", _("State"), choice_label("state", MemoState.choices), width=14),
        Column("created", _("Created on"), "created_at", kind="date"),
        Column("changed", _("Last changed"), "changed_at", kind="datetime"),
        Column("author", _("Created by"), "created_by.signature_name"),
        Column("version", _("Version"), "version", kind="number"),
        Column("length", _("Length of text"), lambda m: len(m.body), kind="number"),
        Column("price_changed", _("Price changes"), "price_changed", kind="bool", visible=may_see_price_flag),
    ],
    landscape=True,
)

MEMO_RECORD = RecordSheet(
    "change_notice",
    "flowtest/sheets/memo.html",
    signature_boxes=[
        SignatureBox("编制 Prepared", actions=(Action.SUBMIT,)),
        SignatureBox("审核 Reviewed", actions=(Action.REVIEW,)),
        SignatureBox("批准 Approved", transitions=("approve",)),
        SignatureBox("总经理批准 GM approved", transitions=("gm_approve",)),
    ],
    fields=[
        Column("title", _("Title"), "title"),
        Column("body", _("Text"), "body"),
        Column("price_changed", _("Price changes"), "price_changed", kind="bool", visible=may_see_price_flag),
        Column("created_at", _("Created on"), "created_at", kind="date"),
    ],
)
