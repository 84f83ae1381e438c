"""Both translation catalogues are complete, compiled, and cover every marked string in the code."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ["zh_Hans", "en"]


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_is_complete(locale):
    po = polib.pofile(str(ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == [], f"{len(missing)} untranslated in {locale}: {missing[:20]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_is_compiled(locale):
    directory = ROOT / "locale" / locale / "LC_MESSAGES"
    po = polib.pofile(str(directory / "django.po"))
    mo = polib.mofile(str(directory / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural.get(0)) for e in mo}
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        assert key in compiled, f"{entry.msgid!r} not compiled: run make messages"
        assert compiled[key] == (entry.msgstr or entry.msgstr_plural.get(0)), f"{entry.msgid!r} changed since compiling"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext")
def test_every_marked_string_is_in_the_catalogue(tmp_path):
    copy = tmp_path / "src"

    def ignore(directory, names):
        return {
            n
            for n in names
            if n
            in {
                ".venv",
                "var",
                ".git",
                "static",
                "tests",
                "staticfiles",
                "node_modules",
                "__pycache__",
                "bench",
                "test-artifacts",
            }
        }

    shutil.copytree(ROOT, copy, ignore=ignore)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "nhcs.settings", "NHCS_VAR_DIR": str(tmp_path / "var")},
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    known = {(e.msgctxt, e.msgid) for e in polib.pofile(str(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))}
    new = sorted(e.msgid for e in fresh if (e.msgctxt, e.msgid) not in known)
    assert new == [], f"{len(new)} strings not in the catalogue (run make messages): {new[:20]}"
