"""Why a customer link cannot be used: one error per problem, each with the status and the text of its
page (nhcs/links/templates/links/problem.html). Nothing is written when one is raised."""

from __future__ import annotations


class LinkProblem(Exception):
    kind = "wrong"
    status = 404

    def __init__(self, link=None):
        self.link = link  # None when the token names no link
        super().__init__(self.kind)


class LinkWrong(LinkProblem):
    """No link has this token (mistyped, cut off, or never given out)."""

    kind = "wrong"
    status = 404


class LinkExpired(LinkProblem):
    kind = "expired"
    status = 410


class LinkUsed(LinkProblem):
    """The customer has answered already (through the link, or the answer came another way)."""

    kind = "used"
    status = 410


class LinkClosed(LinkProblem):
    """The matter behind the link takes no more answers (e.g. the survey was closed); raised by areas."""

    kind = "closed"
    status = 410
