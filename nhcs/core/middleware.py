from django.conf import settings
from django.http import Http404, HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """The language is the one the user picked in the header (a cookie), else Chinese.

    Django's LocaleMiddleware would follow the browser's Accept-Language; on the factory's PCs that is
    often English by accident, and the procedure's forms are Chinese first.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# The largest id a database column holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class RefuseNulBytesMiddleware:
    """Bad input refused before any view sees it:

    - a NUL character in the path, the query string or a form field is no one's real input (PostgreSQL
      cannot even store it): 400;
    - an id in the path larger than a database column holds (SQLite fails on it, "Python int too large to
      convert to SQLite INTEGER"): 404, as for any id that names nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            return HttpResponseBadRequest("Bad request: NUL character.", content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and not -MAX_ID <= value <= MAX_ID:
                raise Http404("No such record.")
        return None

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path:
            return True
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            return True
        if request.method == "POST":
            try:
                data = request.POST
            except Exception:  # noqa: BLE001 - a malformed body is left to the view (Django answers 400)
                return False
            if any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists()):
                return True
            if any("\x00" in (f.name or "") for f in request.FILES.values()):
                return True
        return False


def task_badge_middleware(get_response):
    """A form sent (POST, PUT, PATCH, DELETE) may change the user's tasks: the task count kept in the
    session (nhcs.core.context_processors.task_badge) is dropped, so the next page counts afresh."""
    from .context_processors import TASK_BADGE_SESSION_KEY

    def middleware(request):
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            session = getattr(request, "session", None)
            if session is not None and TASK_BADGE_SESSION_KEY in session:
                del session[TASK_BADGE_SESSION_KEY]
        return get_response(request)

    return middleware
