"""nhcs.wsgi: what the first requests made is frozen out of the garbage collector's full passes."""

import gc

from django.test import override_settings


@override_settings(ALLOWED_HOSTS=["testserver"])
def test_the_first_requests_leave_their_caches_frozen(db):
    from nhcs.wsgi import FreezeAfterWarmUp, application

    assert isinstance(application, FreezeAfterWarmUp)
    served = []

    def app(environ, start_response):
        served.append([])  # something a request leaves behind for the process's life
        return [b"ok"]

    wrapped = FreezeAfterWarmUp(app)
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    wrapped({}, lambda *a: None)
    after_first = gc.get_freeze_count()
    assert after_first > 0
    for _ in range(8):
        wrapped({}, lambda *a: None)
    assert wrapped.served == 9 and gc.get_freeze_count() == after_first  # not every request
    wrapped({}, lambda *a: None)  # the 10th freezes what the 2nd to 10th left
    assert gc.get_freeze_count() > after_first
