"""URL converter for export formats: path("memos/export.<sheetfmt:fmt>", ...) matches .xlsx and .pdf only."""


class SheetFormatConverter:
    regex = "xlsx|pdf"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
