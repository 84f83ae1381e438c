"""The customer's side of a link: one page per registered purpose at /<prefix>/<token>/, and one clear
page per problem (wrong, expired, used, closed) in the customer's language when the link is known, in
both languages otherwise. A problem page writes nothing."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from . import registry, services
from .exceptions import LinkProblem

LANGUAGES = ("zh-hans", "en")


def page_language(request, link=None) -> str:
    """The language a link's page is shown in: the one the customer switched to (?lang=), else the
    link's (the customer's)."""
    chosen = request.GET.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if link is not None and link.language in LANGUAGES:
        return link.language
    return LANGUAGES[0]


def problem_page(request, *, purpose: registry.LinkPurpose, problem: LinkProblem):
    link = problem.link
    languages = [page_language(request, link)] if link is not None else list(LANGUAGES)
    return render(
        request,
        "links/problem.html",
        {"purpose": purpose, "problem": problem, "link": link, "languages": languages, "language": languages[0]},
        status=problem.status,
    )


@never_cache
def link_page(request, token: str, *, purpose: str):
    """Hands a usable link to the purpose's view; answers every problem with the shared page."""
    entry = registry.get(purpose)
    try:
        link = services.link_for_use(token=token, purpose=purpose)
        return entry.handler()(request, link=link)
    except LinkProblem as problem:
        return problem_page(request, purpose=entry, problem=problem)
