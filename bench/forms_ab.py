#!/usr/bin/env python
"""Forms drawn in Python against the old way, in one process, GETs alternating (issue 18). Read only: one
READ ONLY transaction, rolled back; sessions in signed cookies, no login records.

    python bench/forms_ab.py --database nhcs_vol001 sales_head,/delays/,list planner,/orders/975/,record

old: a list page's widgets through str(bf) (forms_html.render_widget = str); a record page's forms through
crispy (forms_html.USE_CRISPY = True) — the ways before widgets_html/as_form. Prints the median CPU and wall
time per GET of each way.
"""

from __future__ import annotations

import argparse
import statistics
import time

from pages import setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="nhcs_vol001")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("pages", nargs="+", help="user,url,list|record")
    args = parser.parse_args()
    setup_django(args.database)

    from django.conf import settings
    from django.contrib.auth.models import update_last_login
    from django.contrib.auth.signals import user_logged_in
    from django.db import connection, transaction
    from django.test import Client

    from nhcs.accounts.models import User
    from nhcs.core.templatetags import forms_html

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    settings.AXES_ENABLED = False
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": static}
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    render_widget = forms_html.render_widget

    def way(name: str, kind: str) -> None:
        forms_html.render_widget = str if name == "old" and kind == "list" else render_widget
        forms_html.USE_CRISPY = name == "old" and kind == "record"

    with transaction.atomic():
        connection.cursor().execute("SET TRANSACTION READ ONLY")
        for page in args.pages:
            username, url, kind = page.split(",")
            client = Client()
            client.force_login(User.objects.get(username=username))
            for _ in range(5):
                assert client.get(url).status_code == 200, url
            times: dict[str, tuple[list, list]] = {"old": ([], []), "new": ([], [])}
            for n in range(args.rounds):
                for name in ("old", "new") if n % 2 else ("new", "old"):
                    way(name, kind)
                    wall, cpu = time.perf_counter(), time.process_time()
                    client.get(url)
                    times[name][0].append((time.perf_counter() - wall) * 1000)
                    times[name][1].append((time.process_time() - cpu) * 1000)
            way("new", kind)
            print(
                f"{url} ({username}, {args.rounds} GETs each): "
                + "; ".join(
                    f"{name}: CPU {statistics.median(cpu):.1f} ms, wall {statistics.median(wall):.1f} ms"
                    for name, (wall, cpu) in times.items()
                )
            )
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
