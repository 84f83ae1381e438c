import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhcs.settings")


class FreezeAfterWarmUp:
    """The WSGI application, with what the process keeps for its life moved out of the garbage collector's
    sight: once loaded, and again after the 1st, 10th, 100th and 1,000th request (translations, URL patterns,
    compiled templates and caches are made by the first requests).

    Left in sight, the collector's full pass walks them all (~200,000 objects, ~70–135 ms) in one request
    every few hundred: the slow single requests of the volume benchmark (issue 18, BENCHMARKS.md). Frozen
    objects are still freed when nothing refers to them; only cycles among them would stay.
    """

    AFTER = frozenset({1, 10, 100, 1000})

    def __init__(self, application):
        self.application = application
        self.served = 0
        gc.freeze()

    def __call__(self, environ, start_response):
        try:
            return self.application(environ, start_response)
        finally:
            self.served += 1
            if self.served in self.AFTER:
                gc.freeze()


application = FreezeAfterWarmUp(get_wsgi_application())
