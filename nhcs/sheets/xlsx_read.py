"""Reading an uploaded workbook (.xlsx) that cannot be turned into a bomb — the one reader of every import.

    rows = first_sheet_rows(upload, max_rows=5000)     # [(row number, values), ...] or WorkbookRefused

Before openpyxl opens the file: its size (settings.NHCS_ATTACHMENT_MAX_BYTES), that it is a zip at all, its
entries' declared sizes (each, and together: NHCS_XLSX_MAX_UNZIPPED_BYTES) and compression ratios (a few KB
that claim hundreds of MB), and that no XML part declares a DTD (entity bombs). Python's zip reader never
inflates an entry past its declared size (it fails the CRC instead), so these checks bound the work.

Then the first sheet is read in openpyxl's read-only, streaming mode, without trusting its declared size:
a sheet that declares more rows or columns than an import could take is refused, the rows are read at most
`max_columns` wide (openpyxl would pad every row to the declared width: 63 KB became 658 MB), and reading
stops as soon as `max_rows` + 1 non-empty rows after the headings are read, or a row lies too far down.
The rows returned are the non-empty ones, with their row numbers in the sheet; at most `max_rows` + 2 (the
headings, the limit, one more to tell the caller the limit was passed).

Every failure is a WorkbookRefused with a message in the user's language; nothing else escapes.
"""

from __future__ import annotations

import zipfile
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

# Rows may be blank between the data; not this many after the limit.
BLANK_ROWS_ALLOWED = 1000
MAX_COLUMNS = 256
MAX_ENTRIES = 2000
# An .xlsx's XML compresses about 5–20 times; 200 times is a bomb (checked for entries over 1 MB).
MAX_RATIO = 200


class WorkbookRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _unreadable(name: str) -> WorkbookRefused:
    return WorkbookRefused(_("“%(name)s” cannot be read as an Excel workbook (.xlsx).") % {"name": name})


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def check_archive(upload, *, name: str) -> None:
    """The checks made before openpyxl sees the file (see the module docstring)."""
    limit = settings.NHCS_ATTACHMENT_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise WorkbookRefused(
            _("The file “%(name)s” is %(size)s MB; the limit is %(limit)s MB.")
            % {"name": name, "size": round(size / 1048576, 1), "limit": round(limit / 1048576, 1)}
        )
    unzipped_limit = getattr(settings, "NHCS_XLSX_MAX_UNZIPPED_BYTES", 30 * 1024 * 1024)
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise _unreadable(name)
            total = sum(e.file_size for e in entries)
            bomb = any(e.file_size > 1024 * 1024 and e.file_size > MAX_RATIO * max(e.compress_size, 1) for e in entries)
            if total > unzipped_limit or bomb:
                raise WorkbookRefused(
                    _(
                        "“%(name)s” unpacks to %(size)s MB, more than an import can take (at most %(limit)s MB); "
                        "save the sheet again in Excel, or split it."
                    )
                    % {"name": name, "size": round(total / 1048576, 1), "limit": round(unzipped_limit / 1048576)}
                )
            names = {e.filename for e in entries}
            if "xl/workbook.xml" not in names:
                raise _unreadable(name)
            for entry in entries:
                if entry.filename.endswith((".xml", ".rels")):
                    with archive.open(entry) as part:
                        head = part.read(4096)
                    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                        raise _unreadable(name)
    except WorkbookRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError, KeyError):
        raise _unreadable(name) from None


def first_sheet_rows(upload, *, max_rows: int, name: str | None = None) -> list[tuple[int, tuple]]:
    """The non-empty rows of the first sheet (see the module docstring)."""
    from openpyxl import load_workbook

    name = name or getattr(upload, "name", "") or "?"
    check_archive(upload, name=name)
    try:
        upload.seek(0)
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - whatever the parser trips on, the file is refused, never a 500
        raise _unreadable(name) from None
    try:
        if not workbook.worksheets:
            raise WorkbookRefused(_("“%(name)s” has no sheet.") % {"name": name})
        sheet = workbook.worksheets[0]
        last_row = max_rows + 1 + BLANK_ROWS_ALLOWED
        declared_rows, declared_columns = sheet.max_row or 0, sheet.max_column or 0
        if declared_rows > last_row * 10 or declared_columns > MAX_COLUMNS * 4:
            raise WorkbookRefused(
                _(
                    "The sheet of “%(name)s” declares %(rows)s rows and %(columns)s columns: more than an import "
                    "takes (at most %(max)s rows). Copy the data into a new workbook."
                )
                % {"name": name, "rows": declared_rows, "columns": declared_columns, "max": max_rows}
            )
        # Never padded to the declared size: rows as wide as an import may be, read as they come.
        sheet.reset_dimensions()
        rows: list[tuple[int, tuple]] = []
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if number > last_row:
                raise WorkbookRefused(_("At most %(n)s rows per file; split the workbook.") % {"n": max_rows}) from None
            if not any(_text(v) for v in values):
                continue
            rows.append((number, tuple(values)))
            if len(rows) > max_rows + 1:
                break
        return rows
    except WorkbookRefused:
        raise
    except Exception:  # noqa: BLE001 - a sheet that breaks while read is refused the same way
        raise _unreadable(name) from None
    finally:
        workbook.close()
