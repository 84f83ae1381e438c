"""Two app servers and two workers on one PostgreSQL database, as two machines behind a load balancer.

A module fixture builds it once: a database copied from the test database (CREATE DATABASE … TEMPLATE),
the module's data written into it in-process (`on_database`), then per "machine" a gunicorn (DEBUG off,
1 worker, its own free port) and a `manage.py db_worker`; `Browser` posts forms as a browser behind the
HTTPS proxy does (session cookie, CSRF token, Origin). Names, ports and folders are unique per xdist worker.
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from django.db import connections

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, what: str, timeout: float = TIMEOUT, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def admin_sql(statement: str) -> None:
    import psycopg

    db = connections["default"].settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(statement)


def copy_database(name: str) -> None:
    """A copy of the test database (its migrations and their data) under `name`."""
    template = connections["default"].settings_dict["NAME"]
    connections.close_all()

    def attempt():
        try:
            admin_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return True
        except Exception as error:  # the template is still in use by a closing connection: wait
            if "being accessed by other users" not in str(error):
                raise
            return False

    wait_for(attempt, "the test database to be free to copy", timeout=30, every=0.5)


def drop_database(name: str) -> None:
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def on_database(name: str):
    """The default connection on database `name` for the block (in-process writes commit at once)."""
    connection = connections["default"]
    old = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = old


def database_url(name: str) -> str:
    db = connections["default"].settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


class Machine:
    """One gunicorn (or one worker) process with its log and its hang flag."""

    def __init__(
        self, name: str, args: list[str], env: dict[str, str], workdir: Path, hang_at: str, port: int | None = None
    ):
        self.name = name
        self.port = port
        self.flag = workdir / f"hang-{name}"
        self.log_path = workdir / f"{name}.log"
        env = {**env, "NHCS_TEST_HANG_FILE": str(self.flag), "NHCS_TEST_HANG_AT": hang_at}
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def hang(self) -> None:
        Path(str(self.flag) + ".reached").unlink(missing_ok=True)
        self.flag.write_text("hang")

    def release(self) -> None:
        self.flag.unlink(missing_ok=True)

    def reached(self) -> int | None:
        path = Path(str(self.flag) + ".reached")
        return int(path.read_text()) if path.exists() and path.read_text() else None

    def terminate(self) -> None:
        self.release()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)

    def stop(self) -> None:
        self.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()

    def text(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")


def environment(db_name: str, workdir: Path, ports: list[int]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.resilience.server_settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),  # the same on both machines, as behind a load balancer
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": ",".join(f"https://127.0.0.1:{p}" for p in ports),
            "SITE_URL": f"https://127.0.0.1:{ports[0]}",
            "DATABASE_URL": database_url(db_name),
            "MEDIA_ROOT": str(workdir / "media"),
            "STATIC_ROOT": str(workdir / "static"),
            "NHCS_VAR_DIR": str(workdir / "var"),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(workdir / "mails"),
            "NHCS_EXPORT_BACKGROUND_ROWS": "1",
            "NHCS_JOB_REAP_SECONDS": "2",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def start_server(name: str, env: dict, workdir: Path, port: int) -> Machine:
    args = [
        str(ROOT / ".venv/bin/gunicorn") if (ROOT / ".venv/bin/gunicorn").exists() else "gunicorn",
        "nhcs.wsgi:application",
        "--chdir",
        str(ROOT),
        "--config",
        str(HERE / "gunicorn_conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--timeout",
        "120",
        "--graceful-timeout",
        "5",
    ]
    # A server can be stopped at a commit: every row of a transition written, none committed.
    return Machine(name, args, env, workdir, "django.db.backends.base.base:BaseDatabaseWrapper.commit", port=port)


def start_worker(name: str, env: dict, workdir: Path) -> Machine:
    args = [
        sys.executable,
        str(HERE / "run_worker.py"),
        "--queue-name",
        "*",
        "--no-reload",
        "--interval",
        "0.2",
        "--worker-id",
        f"{name}-{secrets.token_hex(4)}",
    ]
    # A worker can be stopped when an export reports its progress: the file half-written.
    return Machine(name, args, env, workdir, "nhcs.sheets.background:progress")


class Form(HTMLParser):
    """The fields of the forms of a page as a browser would send them (the first form holding `field`)."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append([])
        if not self.forms:
            return
        fields = self.forms[-1]
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            fields.append((a["name"], a.get("value") or ("on" if a.get("type") == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            chosen = [v for v, sel in self._options if sel] or [v for v, _ in self._options[:1]]
            self.forms[-1].extend((self._select, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1].append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None

    def with_field(self, name: str) -> dict[str, str]:
        for fields in self.forms:
            if any(k == name for k, _ in fields):
                return dict(fields)
        raise AssertionError(f"no form with the field {name}")


class Browser:
    """A user's browser behind the HTTPS proxy: keeps the cookies, sends the CSRF token and the Origin."""

    def __init__(self, cookies: dict[str, str] | None = None):
        self.cookies = dict(cookies or {})

    def request(self, port: int, method: str, path: str, fields=None, timeout: float = TIMEOUT):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        origin = f"https://127.0.0.1:{port}"
        headers = {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
            if "csrftoken" in self.cookies:
                pairs.append(("csrfmiddlewaretoken", self.cookies["csrftoken"]))
            body = urlencode(pairs, doseq=True)
            headers.update(
                {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + path}
            )
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return response.status, response.getheader("Location", ""), content
        finally:
            conn.close()

    def get(self, port, path):
        return self.request(port, "GET", path)

    def post(self, port, path, fields):
        return self.request(port, "POST", path, fields)

    def login(self, port: int, username: str, password: str = "demo1234") -> Browser:
        status, _, html = self.get(port, "/accounts/login/")
        assert status == 200, (status, html[:300])
        status, where, html = self.post(port, "/accounts/login/", {"username": username, "password": password})
        assert status == 302 and "login" not in where, (status, where, html[:500])
        return self

    def tab(self) -> Browser:
        """Another tab of the same browser (the same session)."""
        return Browser(self.cookies)


def in_background(call) -> threading.Thread:
    """Run the call in a thread (its outcome ignored: a request to a server the test kills)."""

    def run():
        try:
            call()
        except Exception:  # noqa: BLE001, S110 - the server was killed under it
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def together(calls):
    """Run the calls at once in threads (released by one barrier); each result or exception, in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(TIMEOUT)
            results[i] = call()
        except Exception as error:  # noqa: BLE001 - the test looks at what each call got
            results[i] = error

    threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT * 2)
    return results
