"""The fuzzer: every form of every area, found from the URL configuration, gets generated values posted by a
user who may use it — zero 500s, and nothing half-saved.

1. The walk. Every URL pattern of the URL configuration is listed (`url_patterns()`); each persona of the
   demo (one per department and position) walks the site from the home page, following the links of each
   page it may open, at most one page per URL pattern and persona; a pattern with arguments is reached
   through the links that name it (a record page through the list). Every page that renders a
   `<form method="post">` gives a form: its action and its fields (name, type, options, value) as parsed from
   the HTML, and the persona who saw it. Nothing is listed by hand, so an area's new forms join the fuzzer
   when their pages are linked.
2. The posts. For each form, hypothesis draws values for every field — long, empty, Unicode, right-to-left,
   emoji, NUL, negative, huge, malformed dates and ids, other options than those offered, the hidden fields'
   values changed — and posts them as that persona. No answer may be a 500 (an exception in the view), and a
   refused post (4xx or the form again) leaves every table's row count as it was.
3. The budget: NHCS_FUZZ_SECONDS (default 60) of posting, shared by the forms; `bench/fuzz.py` runs it longer.
   The figures (forms walked, cases posted, 500s) are written to var/fuzz-figures.json and printed.
"""

from __future__ import annotations

import functools
import json
import os
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
BUDGET = float(os.environ.get("NHCS_FUZZ_SECONDS", "60"))
PERSONAS = ["sales", "sales_head", "planner", "planning_head", "engineer", "buyer", "qa", "qa_head", "warehouse", "vgm"]
# Not forms of the areas: Django's admin and auth screens (their own suites), the language switch, logging out.
SKIP_PREFIXES = ("/admin/", "/i18n/", "/accounts/logout/", "/static/")
PAGES_PER_PERSONA = 150
# Records in different states show different forms: a few pages of each kind per persona.
PAGES_PER_ROUTE = 3

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]


# --- the walk --------------------------------------------------------------------------------------------


def url_patterns(resolver=None, prefix="") -> list[str]:
    """Every route of the URL configuration, as "area:name" (or its route when unnamed)."""
    resolver = resolver or get_resolver()
    names = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            names += url_patterns(p, ns)
        elif isinstance(p, URLPattern):
            names.append(f"{prefix}{p.name}" if p.name else f"{prefix}{p.pattern}")
    return names


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, number, date, select, checkbox, radio, hidden, file, email …
    value: str = ""
    options: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    url_name: str
    page: str
    action: str
    persona: str
    fields: dict[str, Field]

    @property
    def key(self) -> tuple:
        return (self.url_name, urlsplit(self.action).path if self.action else "", tuple(sorted(self.fields)))


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[tuple[str, dict[str, Field]]] = []
        self._form: tuple[str, dict[str, Field]] | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        for name in ("data-copy", "data-url"):  # customers' links, offered to copy
            if a.get(name):
                self.links.append(a[name])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = (a.get("action", ""), {}) if a.get("method", "get").lower() == "post" else None
        elif self._form is not None and tag in ("input", "select", "textarea", "button") and a.get("name"):
            fields = self._form[1]
            name = a["name"]
            if tag == "input":
                kind = a.get("type", "text").lower()
                if kind in ("submit", "button", "reset", "image"):
                    fields.setdefault(name, Field(name, "hidden", a.get("value", "")))
                    return
                if kind in ("radio", "checkbox") and name in fields:
                    fields[name].options.append(a.get("value", "on"))
                    if "checked" in a:
                        fields[name].value = a.get("value", "on")
                    return
                f = Field(name, kind, a.get("value", ""))
                if kind in ("radio", "checkbox"):
                    f.options = [a.get("value", "on")]
                    f.value = a.get("value", "on") if "checked" in a else ""
                fields[name] = f
            elif tag == "select":
                self._select = fields[name] = Field(name, "select", multiple="multiple" in a)
            elif tag == "textarea":
                self._textarea = fields[name] = Field(name, "textarea")
            elif tag == "button":
                fields.setdefault(name, Field(name, "hidden", a.get("value", "")))
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name or match.route


def walk(clients: dict[str, Client]) -> tuple[list[Form], set[str]]:
    """Each persona's walk from the home page; the forms found (one per kind) and the routes reached."""
    forms: dict[tuple, Form] = {}
    reached: set[str] = set()
    for persona, client in clients.items():
        seen_routes: dict[str, int] = {}
        visited_paths: set[str] = set()
        queue = deque(["/"])
        visited = 0
        while queue and visited < PAGES_PER_PERSONA:
            path = queue.popleft()
            route = _route(urlsplit(path).path)
            if route is None or seen_routes.get(route, 0) >= PAGES_PER_ROUTE or path in visited_paths:
                continue
            seen_routes[route] = seen_routes.get(route, 0) + 1
            visited_paths.add(path)
            response = client.get(path)
            visited += 1
            assert response.status_code != 500, f"GET {path} as {persona}: 500"
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            reached.add(route)
            parser = PageParser()
            parser.feed(response.content.decode("utf-8", "replace"))
            for action, fields in parser.forms:
                target = urljoin(path, action) if action else path
                if any(target.startswith(p) for p in SKIP_PREFIXES) or not fields:
                    continue
                form = Form(route, path, target, persona, fields)
                forms.setdefault(form.key, form)
            for href in parser.links:
                parts = urlsplit(href)
                if parts.netloc and parts.netloc not in ("testserver", urlsplit(django_settings.SITE_URL).netloc):
                    continue
                if not parts.path.startswith("/"):
                    continue
                href = parts.path + (f"?{parts.query}" if parts.query else "")
                if any(parts.path.startswith(p) for p in SKIP_PREFIXES) or "." in parts.path.rsplit("/", 1)[-1]:
                    continue  # exports and downloads (their names end in .xlsx/.pdf) are not forms
                queue.append(href.split("#", 1)[0])
    return list(forms.values()), reached


# --- the values ------------------------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "x" * 10_000,
    "测试" * 300,
    "مرحبا بالعالم",  # right-to-left
    "\u202eevil\u202c",
    "😀🔥👍🏽" * 10,
    "a\x00b",
    "-1",
    "0",
    "-0.001",
    "1e309",
    "99999999999999999999999999",
    "NaN",
    "Infinity",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "31/12/2026",
    "abc",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "'; DROP TABLE x; --",
    "../../etc/passwd",
    "%00",
    "\r\n",
]


def values_for(f: Field):
    nasty = st.sampled_from(NASTY)
    text = st.one_of(nasty, st.text(max_size=60))
    if f.kind in ("checkbox",):
        return st.one_of(st.just(None), st.sampled_from(f.options or ["on"]), nasty)
    if f.kind in ("select", "radio"):
        offered = st.sampled_from(f.options) if f.options else nasty
        if f.multiple:
            return st.lists(st.one_of(offered, nasty), max_size=3)
        return st.one_of(offered, offered, nasty)
    if f.kind == "hidden":
        # Usually as the page gave it (version, ids, the management form); sometimes not.
        return st.one_of(st.just(f.value), st.just(f.value), st.just(f.value), nasty)
    if f.kind == "file":
        return st.one_of(st.just(None), st.sampled_from(["garbage", "pdf", "xlsx"]))
    if f.kind == "number":
        return st.one_of(
            nasty,
            st.integers(min_value=-(10**20), max_value=10**20).map(str),
            st.decimals(allow_nan=True, allow_infinity=True).map(str),
        )
    if f.kind == "date":
        return st.one_of(nasty, st.dates().map(lambda d: d.isoformat()))
    return text


def upload(kind: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "garbage": b"\x00\x01not a real file",
        "pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        "xlsx": b"PK\x03\x04 truncated",
    }[kind]
    return SimpleUploadedFile(f"fuzz.{kind if kind != 'garbage' else 'bin'}", data)


@functools.cache
def _count_query() -> tuple[list[str], str]:
    """The tables counted and the query counting them (the tables do not change while the test runs)."""
    # Bookkeeping that a refused post may write (a new one-time token for the form shown again) is not data.
    skip = ("django_session", "accounts_formtoken", "accounts_throttleevent", "axes_")
    tables = sorted(t for t in connection.introspection.table_names() if not t.startswith(skip))
    return tables, "SELECT " + ", ".join(f'(SELECT COUNT(*) FROM "{t}")' for t in tables)


def row_counts() -> dict[str, int]:
    """Every table's row count, in one query."""
    tables, query = _count_query()
    with connection.cursor() as cursor:
        cursor.execute(query)
        return dict(zip(tables, cursor.fetchone()))


# --- the test ----------------------------------------------------------------------------------------------


def fuzz_form(form: Form, client: Client, figures: dict, deadline: float) -> None:
    """Batches of generated posts to one form until its share of the budget is spent (at least one batch).

    The row counts are taken once after each post, and are the next post's counts before it: nothing but
    the posts writes in between (the test runs alone in its transaction)."""
    counts = [row_counts()]

    @settings(
        max_examples=3,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.fixed_dictionaries({name: values_for(f) for name, f in form.fields.items()}))
    def post(values):
        data = {}
        for name, value in values.items():
            if value is None:
                continue
            data[name] = upload(value) if form.fields[name].kind == "file" else value
        before = counts[-1]
        figures["cases_posted"] += 1
        try:
            with transaction.atomic():  # a failure leaves the test's transaction usable
                response = client.post(form.action, data)
        except Exception:  # noqa: BLE001 - a 500: recorded with its traceback
            counts.append(row_counts())
            figures["server_errors"].append(
                {
                    "form": form.url_name,
                    "action": form.action,
                    "data": repr(data)[:2000],
                    "error": traceback.format_exc()[-3000:],
                }
            )
            return
        after = row_counts()
        counts.append(after)
        if response.status_code == 500:
            figures["server_errors"].append({"form": form.url_name, "action": form.action, "data": repr(data)[:2000]})
        elif response.status_code >= 400 or (response.status_code == 200 and b"is-invalid" in response.content):
            if after != before:
                changed = {t: (before[t], after[t]) for t in after if before.get(t) != after[t]}
                figures["half_saved"].append(
                    {"form": form.url_name, "status": response.status_code, "changed": changed}
                )

    # Batches of a few cases until the form's share of the budget is spent (at least one batch).
    while True:
        post()
        if time.monotonic() > deadline:
            break


@pytest.fixture
def site(db):
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))
    from nhcs.accounts.models import User

    users = {u.username: u for u in User.objects.filter(username__in=PERSONAS)}
    clients = {}
    for name in PERSONAS:
        client = Client(raise_request_exception=True)
        client.force_login(users[name])
        clients[name] = client
    return clients


def test_no_form_answers_500_or_saves_half(site):
    started = time.monotonic()
    forms, reached = walk(site)
    routes = url_patterns()
    figures = {
        "budget_seconds": BUDGET,
        "url_patterns": len(routes),
        "routes_reached": len(reached),
        "routes": sorted(reached),
        "forms_walked": len(forms),
        "forms": sorted(f"{f.url_name} as {f.persona}" for f in forms),
        "cases_posted": 0,
        "server_errors": [],
        "half_saved": [],
        "walk_seconds": round(time.monotonic() - started, 1),
    }
    assert len(forms) >= 10, figures
    per_form = max((BUDGET - (time.monotonic() - started)) / len(forms), 0.5)
    for form in forms:
        fuzz_form(form, site[form.persona], figures, time.monotonic() + per_form)
    figures["seconds"] = round(time.monotonic() - started, 1)
    out = ROOT / "var" / "fuzz-figures.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(
        f"\nfuzzer: {figures['url_patterns']} URL patterns, {figures['routes_reached']} pages reached, "
        f"{figures['forms_walked']} forms walked, {figures['cases_posted']} cases posted, "
        f"{len(figures['server_errors'])} 500s, {len(figures['half_saved'])} half-saved, {figures['seconds']} s"
    )
    assert figures["server_errors"] == [], json.dumps(figures["server_errors"][:5], indent=1, ensure_ascii=False)
    assert figures["half_saved"] == [], figures["half_saved"][:5]
