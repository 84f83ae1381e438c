"""`make prod-check`: the README's production section, run as written on a throw-away database.

It reads the ```sh block under "## Production" in README.md and runs it line by line: the `export` line's
variables with values of its own (a throw-away database — PostgreSQL when DATABASE_URL points at one,
else an SQLite file —, temporary media and static folders, a random secret key, the local address), each
command as written (gunicorn on a free local port instead of 8000; `createsuperuser` with --noinput and
DJANGO_SUPERUSER_PASSWORD, since nobody types here); gunicorn and the worker run in the background.
Then, as the reverse proxy would (X-Forwarded-Proto: https), it logs in and fetches the home page and every
page of the navigation, a static file and a missing page, asserting the status and the security headers
(HSTS, Content-Security-Policy, X-Frame-Options, nosniff), and that the worker and gunicorn still run.

Everything is removed afterwards. Exit status 0 when all holds; the whole run must fit in
PROD_CHECK_BUDGET seconds (default 240).
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BUDGET = float(os.environ.get("PROD_CHECK_BUDGET", "240"))
STARTED = time.monotonic()
PASSWORD = secrets.token_urlsafe(16)
ADMIN = "prodcheck"


def say(text: str) -> None:
    print(f"[prod-check {time.monotonic() - STARTED:5.1f}s] {text}", flush=True)


def fail(text: str) -> None:
    say(f"FAILED: {text}")
    raise SystemExit(1)


def left() -> float:
    remaining = BUDGET - (time.monotonic() - STARTED)
    if remaining <= 0:
        fail(f"over the time budget of {BUDGET:.0f} s")
    return remaining


def production_block(readme: Path = ROOT / "README.md") -> list[str]:
    """The commands of the first ```sh block under "## Production" (continued lines joined, comments cut)."""
    text = readme.read_text()
    section = text.split("\n## Production", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    lines, current = [], ""
    for raw in block.splitlines():
        line = raw.split("    #", 1)[0].rstrip() if "    #" in raw else raw.rstrip()
        current += line.rstrip("\\").strip() + " " if line.endswith("\\") else line.strip()
        if not line.endswith("\\"):
            if current.strip():
                lines.append(current.strip())
            current = ""
    return lines


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowAwayDatabase:
    """A database that exists for this run only."""

    def __init__(self, workdir: Path):
        base = os.environ.get("DATABASE_URL", "")
        self.pg = base.startswith(("postgres://", "postgresql://"))
        if self.pg:
            parts = urlsplit(base)
            self.name = f"nhcs_prodcheck_{os.getpid()}_{secrets.token_hex(3)}"
            self.admin_url = parts._replace(path="/postgres").geturl()
            self.url = parts._replace(path=f"/{self.name}").geturl()
        else:
            self.url = f"sqlite:///{workdir / 'prodcheck.sqlite3'}"

    def __enter__(self):
        if self.pg:
            self._sql(f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc):
        if self.pg:
            self._sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(statement)


def environment(workdir: Path, db_url: str, port: int) -> dict[str, str]:
    origin = f"https://127.0.0.1:{port}"
    ours = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": origin,
        "SITE_URL": origin,
        "DATABASE_URL": db_url,
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        # Nobody listens there: mails wait in the queue and are retried, as when the mail server is down.
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(free_port()),
        "DEFAULT_FROM_EMAIL": "nhcs@example.com",
        "NHCS_VAR_DIR": str(workdir / "var"),
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        "DJANGO_SUPERUSER_USERNAME": ADMIN,
        "DJANGO_SUPERUSER_EMAIL": "prodcheck@example.com",
    }
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(ours)
    return env


class Page(HTMLParser):
    """The navigation's links, the login form's CSRF token."""

    def __init__(self, html: str):
        super().__init__()
        self.nav: list[tuple[str, str]] = []
        self.csrf = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("data-nav"):
            self.nav.append((a["data-nav"], a["href"]))
        if tag == "input" and a.get("name") == "csrfmiddlewaretoken":
            self.csrf = a.get("value", "")


class Browser:
    """Requests as they arrive from the HTTPS proxy, with the cookies a browser would keep."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=min(60, left()))
        origin = f"https://127.0.0.1:{self.port}"
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers.update(
                {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + path}
            )
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response, content.decode("utf-8", "replace")


SECURITY_HEADERS = {
    "Strict-Transport-Security": lambda v: "max-age=" in v,
    "Content-Security-Policy": lambda v: "script-src 'self'" in v and "unsafe-inline" not in v,
    "X-Frame-Options": lambda v: v.upper() == "DENY",
    "X-Content-Type-Options": lambda v: v.lower() == "nosniff",
}


def check_headers(response, what: str) -> None:
    for name, ok in SECURITY_HEADERS.items():
        value = response.getheader(name)
        if value is None or not ok(value):
            fail(f"{what}: header {name} is {value!r}")


def run(command: str, env: dict, background: list) -> None:
    args = shlex.split(command)
    if args[:1] == ["export"]:
        named = [a.split("=", 1)[0] for a in args[1:]]
        missing = [n for n in named if n not in env]
        if missing:
            fail(f"the README exports {missing}, which prod-check does not set")
        say(f"export {' '.join(named)} (prod-check's own values)")
        return
    if "gunicorn" in args[0]:
        args[args.index("--bind") + 1] = f"127.0.0.1:{env['PROD_CHECK_PORT']}"
    if args[-1:] == ["createsuperuser"]:
        args.append("--noinput")
    say(" ".join(args))
    if "gunicorn" in args[0] or "db_worker" in args:
        log = open(Path(env["NHCS_VAR_DIR"]) / f"{Path(args[0]).name}-{len(background)}.log", "w")
        background.append(
            (
                subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True),
                log,
            )
        )
        return
    try:
        done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=left())
    except subprocess.TimeoutExpired:
        fail(f"{command}: over the time budget")
    if done.returncode != 0:
        fail(f"{command} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def wait_for_server(port: int, proc) -> None:
    while left():
        if proc.poll() is not None:
            fail("gunicorn stopped while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)


def walk(port: int, background: list) -> None:
    browser = Browser(port)
    response, html = browser.request("GET", "/accounts/login/")
    if response.status != 200:
        fail(f"login page answered {response.status}")
    check_headers(response, "login page")
    token = Page(html).csrf
    response, html = browser.request(
        "POST", "/accounts/login/", {"csrfmiddlewaretoken": token, "username": ADMIN, "password": PASSWORD}
    )
    if response.status != 302:
        fail(f"login answered {response.status}: {html[:500]}")
    response, html = browser.request("GET", "/")
    if response.status != 200:
        fail(f"home page answered {response.status}")
    check_headers(response, "home page")
    nav = Page(html).nav
    if len(nav) < 5:
        fail(f"the navigation has only {nav}")
    for key, href in nav:
        response, body = browser.request("GET", href)
        if response.status != 200:
            fail(f"{key} ({href}) answered {response.status}: {body[:300]}")
        check_headers(response, f"{key} ({href})")
        say(f"200 {href} ({key})")
    css = re.search(r'href="(/static/css/nhcs\.[0-9a-f]+\.css)"', html)
    if not css:
        fail("the pages do not link the hashed static files of collectstatic")
    response, _ = browser.request("GET", css.group(1))
    if response.status != 200 or "immutable" not in (response.getheader("Cache-Control") or ""):
        fail(f"static file {css.group(1)} answered {response.status}")
    response, body = browser.request("GET", "/no-such-page/")
    if response.status != 404 or "404" not in body:
        fail(f"a missing page answered {response.status}")
    check_headers(response, "the 404 page")
    for proc, _log in background:
        if proc.poll() is not None:
            fail(f"{proc.args} stopped (exit {proc.returncode})")
    say(f"{len(nav)} pages of the navigation, a static file and the 404 page: status and headers right")


def main() -> int:
    commands = production_block()
    workdir = Path(tempfile.mkdtemp(prefix="nhcs-prodcheck-"))
    background: list = []
    port = free_port()
    try:
        with ThrowAwayDatabase(workdir) as db:
            env = environment(workdir, db.url, port)
            env["PROD_CHECK_PORT"] = str(port)
            (workdir / "var").mkdir()
            try:
                for command in commands:
                    run(command, env, background)
                    left()
                gunicorn = next((p for p, _l in background if "gunicorn" in p.args[0]), None)
                if gunicorn is None or not any("db_worker" in p.args for p, _l in background):
                    fail("the README's production section starts no gunicorn or no worker")
                wait_for_server(port, gunicorn)
                walk(port, background)
            finally:
                for proc, log in background:
                    if proc.poll() is None:
                        os.killpg(proc.pid, signal.SIGTERM)
                        try:
                            proc.wait(timeout=30)
                        except subprocess.TimeoutExpired:
                            os.killpg(proc.pid, signal.SIGKILL)
                            proc.wait()
                    log.close()
                    text = Path(log.name).read_text()
                    if "Traceback" in text:
                        print(text[-4000:])
                        fail(f"{Path(log.name).name} logged an error")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    say(f"passed within the budget of {BUDGET:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
