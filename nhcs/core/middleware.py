from django.conf import settings
from django.http import HttpResponseBadRequest
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


class RefuseNulBytesMiddleware:
    """A NUL character in the path, the query string or a form field is no one's real input (PostgreSQL
    cannot even store it): answer 400 at once, before a view turns it into a database error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            return HttpResponseBadRequest("Bad request: NUL character.", content_type="text/plain; charset=utf-8")
        return self.get_response(request)

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
