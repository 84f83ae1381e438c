"""One record per create form, however often it is sent (a double click, a reload of the POST).

A create form carries a one-time token: `{% load once %}{% once_token %}` in the form renders the hidden
field `_once` (a new token of the user's each time the form is rendered). The view wraps its service call:

    form_action(request, form=form, call=once(request, lambda data: services.order_create(...)), ...)

`once` consumes the token in the same transaction as the service: the first request marks it used (a row
update, so a second request waits for the first to commit, then finds it used) and keeps the address of
what it created; a second sending of the same form is refused with a message that names it (Blocked, 400
through form_action) and writes nothing. A refused first attempt rolls back and leaves the token usable.
A request without the field (a script, a test client) is not checked.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nhcs.workflow.exceptions import Blocked

FIELD = "_once"
KEEP = timedelta(days=2)


def once_token_issue(*, user) -> str:
    from nhcs.accounts.models import FormToken

    FormToken.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    token = secrets.token_urlsafe(32)
    FormToken.objects.create(token=token, user=user)
    return token


def _consume(request) -> Any:
    from nhcs.accounts.models import FormToken

    token = request.POST.get(FIELD)
    if token is None:
        return None
    updated = FormToken.objects.filter(token=token, user=request.user, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if updated != 1:
        done = FormToken.objects.filter(token=token, user=request.user).values_list("result_url", flat=True).first()
        if done:
            raise Blocked(problems=[_("This form was already sent and its record created: %(url)s") % {"url": done}])
        raise Blocked(problems=[_("This form was already sent, or it is too old. Open it again and send it once.")])
    return token


def once(request, call: Callable[[dict], Any]) -> Callable[[dict], Any]:
    """`call` run at most once per token (see the module docstring)."""

    def wrapped(data: dict) -> Any:
        from nhcs.accounts.models import FormToken

        with transaction.atomic():
            token = _consume(request)
            result = call(data)
            if token is not None:
                url = getattr(result, "get_absolute_url", None)
                if url is None and isinstance(result, list | tuple) and result:
                    url = getattr(result[0], "get_absolute_url", None)
                FormToken.objects.filter(token=token).update(result_url=url()[:300] if callable(url) else "")
            return result

    return wrapped
