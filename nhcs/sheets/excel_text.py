"""Text that reaches a workbook as text: never a formula, every character kept, within Excel's limits.

Both Excel writers of NHCS use this module: the streaming list writer (nhcs.sheets.xlsx_stream) and
openpyxl (record sheets, and lists with settings.NHCS_XLSX_LIST_ENGINE = "openpyxl").

What a user typed is stored as a string cell (inline string, t="inlineStr") whose text, as Excel shows
it, is exactly what they typed — a leading "=", "+", "-", "@", tab or CR included, nothing prefixed:

- OOXML text is an ST_Xstring: Excel (and LibreOffice) read "_xHHHH_" in a cell's text as the UTF-16
  code unit HHHH ("_x0041_" shows as "A"). A literal "_" that starts such a sequence is therefore
  written "_x005F_" (an underscore), and characters XML 1.0 cannot carry (control characters other
  than tab and line feed, U+FFFE, U+FFFF, lone surrogates) are written as their "_xHHHH_" escape. A
  carriage return is escaped too: XML parsers turn a literal CR into a line feed.
- Excel holds at most 32,767 characters (UTF-16 code units) in a cell. Longer text is cut and ends in
  TRUNCATION_MARK, so that nobody takes the cut text for the whole.

openpyxl's reader (3.1) returns the stored text of an inline string as it is in the file, without
decoding "_xHHHH_" (only its shared-string reader drops "x005F_"); `openpyxl.utils.escape.unescape`
decodes it as Excel does (the tests read workbooks that way).

Record sheets get a worksheet whose `append`, `cell` and item assignment go through `set_text` for
every str (see `new_workbook`), so area builders write user text with the ordinary openpyxl calls.
"""

from __future__ import annotations

import re
from inspect import isgenerator

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.worksheet import Worksheet

MAX_CELL_CHARS = 32767
# Bilingual and the same in every language: a cut cell says so to any reader.
TRUNCATION_MARK = "…[已截断 truncated]"

# Anything that needs more than XML's own escaping (&, <, >): an escape-like "_xHHHH_", a control
# character XML cannot carry or a CR, U+FFFE/U+FFFF, a lone surrogate.
_SPECIAL = re.compile(r"_(?=[xX][0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
# The quick test for the common case: none of those, and no "_" at all (one character-class scan).
_MAYBE_SPECIAL = re.compile(r"[\x00-\x08\x0b-\x1f_\ud800-\udfff\ufffe\uffff]")
# Below this many code points a text cannot exceed 32,767 UTF-16 code units (an astral character is two).
_SURELY_SHORT = MAX_CELL_CHARS // 2


def _escape_one(match: re.Match) -> str:
    return f"_x{ord(match.group()):04X}_"


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def capped(text: str) -> str:
    """The text as a cell holds it: whole, or cut to fit 32,767 UTF-16 units with TRUNCATION_MARK at the end."""
    if len(text) <= _SURELY_SHORT or utf16_length(text) <= MAX_CELL_CHARS:
        return text
    budget = MAX_CELL_CHARS - len(TRUNCATION_MARK)
    kept = text[:budget]
    excess = utf16_length(kept) - budget
    while excess > 0:  # astral characters count twice; cut whole characters only
        kept = kept[: len(kept) - (excess + 1) // 2]
        excess = utf16_length(kept) - budget
    return kept + TRUNCATION_MARK


def cell_text(text: str) -> str:
    """What to store in a cell's <t> for `text`: capped, and ST_Xstring-escaped (see the module docstring).

    XML's own escaping (&, <, >) is left to the writer. The common case, a short text without "_x"
    sequences or control characters, is returned unchanged after one regular-expression scan.
    """
    if len(text) > _SURELY_SHORT:
        text = capped(text)
    if _MAYBE_SPECIAL.search(text) is None:
        return text
    return _SPECIAL.sub(_escape_one, text)


# --- openpyxl ------------------------------------------------------------------------------------------


def set_text(cell: Cell, text: str) -> Cell:
    """Store `text` in an openpyxl cell as a string cell, whatever it starts with.

    Assigning `cell.value` would make a formula of "=…" and an error cell of "#N/A", refuse control
    characters and cut the escaped text at 32,767 characters; this sets the cell's value and type
    directly, as openpyxl's own reader does.
    """
    cell._value = cell_text(text)
    cell.data_type = "s"
    return cell


def _text_or_value(ws, value):
    if isinstance(value, str):
        return set_text(Cell(ws), value)
    return value


class TextWorksheet(Worksheet):
    """A worksheet that stores every str it is given as text (set_text): record sheets are built on it.

    `ws.append([...])`, `ws.cell(row, column, value)` and `ws["B3"] = value` are covered; assigning
    `cell.value = text` on a cell object bypasses it (save_workbook still turns such a formula into text).
    """

    def append(self, iterable):
        if isinstance(iterable, dict):
            row = self._current_row + 1
            for key, value in iterable.items():
                self.cell(row=row, column=column_index_from_string(key) if isinstance(key, str) else key, value=value)
            self._current_row = row
            return
        if not isinstance(iterable, (list, tuple, range)) and not isgenerator(iterable):
            return super().append(iterable)  # openpyxl's own error for what it cannot append
        super().append([_text_or_value(self, value) for value in iterable])

    def cell(self, row, column, value=None):
        if isinstance(value, str):
            cell = super().cell(row=row, column=column)
            return set_text(cell, value)
        return super().cell(row=row, column=column, value=value)

    def __setitem__(self, key, value):
        if isinstance(value, str):
            set_text(self[key], value)
        else:
            super().__setitem__(key, value)


class TextWorkbook(Workbook):
    """An openpyxl workbook whose sheets are TextWorksheets."""

    def __init__(self):
        super().__init__()
        self.remove(self.active)
        self.create_sheet()

    def create_sheet(self, title=None, index=None):
        ws = TextWorksheet(parent=self, title=title)
        self._add_sheet(sheet=ws, index=index)
        return ws


def new_workbook() -> TextWorkbook:
    """A workbook for a record sheet: its active sheet stores every str as text."""
    return TextWorkbook()


def seal_text(wb: Workbook) -> None:
    """Turn any formula or error cell into text: NHCS writes no formulas, so these can only be user text
    that reached a cell by `cell.value = …`."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type in ("f", "e") and isinstance(cell._value, str):
                    set_text(cell, cell._value)


def save_workbook(wb: Workbook, out) -> None:
    seal_text(wb)
    wb.save(out)
