"""The source strings are English: make the English catalogue say so explicitly, entry by entry,
so that it is complete (an empty msgstr would also fall back to the msgid, but then a missing
entry and a deliberate one look the same)."""

import re
from pathlib import Path

path = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
text = path.read_text(encoding="utf-8")
entries = text.split("\n\n")
out = []
for entry in entries:
    if 'msgid ""\nmsgstr ""\n"Project' in entry or "msgid_plural" in entry:
        out.append(entry.replace("#, fuzzy\n", "", 1) if entry.startswith("# SOME") else entry)
        continue
    m = re.search(r'(^msgid (?:".*"\n?)+)(^msgstr "")\s*$', entry, re.M)
    if m:
        msgid_block = m.group(1).rstrip("\n")
        msgstr = "msgstr" + msgid_block[len("msgid"):]
        entry = entry[: m.start(2)] + msgstr
    entry = entry.replace("#, fuzzy\n", "")
    out.append(entry)
path.write_text("\n\n".join(out), encoding="utf-8")
