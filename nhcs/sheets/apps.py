from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


class SheetsConfig(AppConfig):
    name = "nhcs.sheets"
    label = "sheets"
    verbose_name = _("Record sheets")

    def ready(self):
        from . import checks  # noqa: F401 - registers the CJK font check
        from .converters import SheetFormatConverter

        # Registered here, before any URLconf is imported, so every area can use <sheetfmt:fmt>.
        register_converter(SheetFormatConverter, "sheetfmt")
