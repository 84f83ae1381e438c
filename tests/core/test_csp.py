"""The Content-Security-Policy allows no inline script or style: no served template may carry an inline
<script> body, an on*= handler attribute, a <style> element or a style= attribute. An area that adds one
fails here. The PDF sheets' templates (rendered by WeasyPrint, never served) keep their styles."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["templates", "nhcs", "orders", "complaints", "satisfaction", "customer_property"]


def served_templates() -> list[Path]:
    paths = []
    for top in SOURCES:
        for path in (ROOT / top).rglob("*.html"):
            parts = path.relative_to(ROOT).parts
            if "templates" not in parts:
                continue
            # PDFs: sheets/pdf/*, an area's sheets/* and letters printed by WeasyPrint.
            inner = parts[parts.index("templates") + 1 :]
            if "sheets" in inner or "pdf" in inner or "letters" in inner:
                continue
            paths.append(path)
    return sorted(paths)


class InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False
        self._script_body = ""

    def handle_starttag(self, tag, attrs):
        names = {name.lower(): value for name, value in attrs}
        for name in names:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
        if "style" in names:
            self.found.append(f"<{tag} style=…>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script":
            executable = names.get("type") in (None, "", "text/javascript", "module")
            self._in_script = executable and "src" not in names
            self._script_body = ""

    def handle_data(self, data):
        if self._in_script:
            self._script_body += data

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script:
            if self._script_body.strip():
                self.found.append("<script> with a body")
            self._in_script = False


def inline_code(text: str) -> list[str]:
    # Template tags may sit inside attribute lists: take them out first ({% if %} … {% endif %} kept as text).
    text = re.sub(r"{%.*?%}", " ", text, flags=re.S)
    text = re.sub(r"{{.*?}}", "x", text, flags=re.S)
    text = re.sub(r"{#.*?#}", " ", text, flags=re.S)
    finder = InlineFinder()
    finder.feed(text)
    return finder.found


def test_the_scan_finds_what_the_policy_would_block():
    assert inline_code('<select onchange="this.form.submit()">') == ["<select onchange=…>"]
    assert inline_code('<td style="width:7rem">') == ["<td style=…>"]
    assert inline_code("<script>alert(1)</script>") == ["<script> with a body"]
    assert inline_code("<style>.x{}</style>") == ["<style>"]
    assert inline_code('<script src="/static/x.js"></script><script id="d" type="application/json">{}</script>') == []


@pytest.mark.parametrize("path", served_templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_served_template_has_inline_script_or_style(path):
    assert inline_code(path.read_text()) == []


def test_the_scan_covers_the_areas():
    names = {str(p.relative_to(ROOT)) for p in served_templates()}
    assert "templates/base.html" in names
    assert any(n.startswith("orders/") for n in names) and any(n.startswith("satisfaction/") for n in names)
    assert not any("/pdf/" in n for n in names)


@pytest.mark.django_db
def test_the_header_and_the_statistics_work_without_inline_code(demo, client_for):
    page = client_for(demo["sales"]).get("/").content.decode()
    assert "data-autosubmit" in page and "/static/js/nhcs.js" in page
    assert "onchange" not in page and "style=" not in page
    assert "default-src 'self'" in Client().get("/accounts/login/")["Content-Security-Policy"]
