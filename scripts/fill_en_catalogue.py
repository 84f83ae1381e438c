"""The source strings are English: make the English catalogue say so explicitly, entry by entry, so
that it is complete (an empty msgstr would also fall back to the msgid, but then a missing entry and a
deliberate one look the same)."""

from pathlib import Path

import polib

path = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
po = polib.pofile(str(path), wrapwidth=79)
for entry in po:
    if entry.msgid_plural:
        entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
    else:
        entry.msgstr = entry.msgid
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgid = None
    entry.previous_msgid_plural = None
    entry.previous_msgctxt = None
po.metadata["Language"] = "en"
po.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
po.save(str(path))
