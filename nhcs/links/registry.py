"""What customer links are for: each area registers its purposes when Django starts, so that the shared
service mounts their pages without importing the areas.

    # <area>/apps.py
    def ready(self):
        from nhcs.links.registry import LinkPurpose, register

        register(LinkPurpose("survey", "s", "satisfaction.views.public_answer", _("Customer satisfaction survey")))

The page is then /s/<token>/ (URL name "links:survey"); the view is called as view(request, link=link)
with a link that is known, unused and unexpired, and answers with the shared problem page when it (or
the service it calls) raises nhcs.links.exceptions.LinkProblem.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.module_loading import import_string

SLUG = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class LinkPurpose:
    code: str  # stored on each link
    url_prefix: str  # the page is /<url_prefix>/<token>/
    view: str | Callable  # dotted path (or callable) of view(request, *, link)
    label: str | Promise  # what the customer is asked, the title of the pages

    def handler(self) -> Callable:
        return import_string(self.view) if isinstance(self.view, str) else self.view


_PURPOSES: dict[str, LinkPurpose] = {}


def register(purpose: LinkPurpose) -> None:
    """Add a purpose (once per code; registering the same one again does nothing)."""
    if not SLUG.match(purpose.code) or not SLUG.match(purpose.url_prefix):
        raise ImproperlyConfigured(f"Link purpose {purpose.code!r}: code and URL prefix must be short slugs.")
    known = _PURPOSES.get(purpose.code)
    if known is not None:
        if known != purpose:
            raise ImproperlyConfigured(f"Link purpose {purpose.code!r} is registered twice, differently.")
        return
    for other in _PURPOSES.values():
        if other.url_prefix == purpose.url_prefix:
            raise ImproperlyConfigured(
                f"Link purposes {other.code!r} and {purpose.code!r} both want the URL prefix {purpose.url_prefix!r}."
            )
    _PURPOSES[purpose.code] = purpose


def get(code: str) -> LinkPurpose:
    try:
        return _PURPOSES[code]
    except KeyError:
        raise ImproperlyConfigured(f"No link purpose {code!r} is registered.") from None


def purposes() -> list[LinkPurpose]:
    return list(_PURPOSES.values())
