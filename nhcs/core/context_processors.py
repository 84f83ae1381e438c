import time

from django.conf import settings

from .navigation import nav_items

# [user id, when counted (epoch seconds), count] of the navigation's task count, kept in the session.
TASK_BADGE_SESSION_KEY = "nhcs_task_badge"


def task_badge(request) -> int:
    """The navigation's count of the user's open tasks.

    Counting them (the user's roles and the managers they deputise for, one row per record and label) is a
    good part of a small page's time, and the count changes far less often than the user moves between
    pages. So it is kept in the session for NHCS_TASK_BADGE_SECONDS: a page that counts them itself (My
    tasks, home) shows and keeps the live figure, a form the user sends drops the kept one
    (`task_badge_middleware`), and work that others send the user shows within that time.
    """
    from nhcs.core.request_cache import peek
    from nhcs.workflow.selectors import task_count_for_user

    user = request.user
    seconds = settings.NHCS_TASK_BADGE_SECONDS
    session = getattr(request, "session", None)
    live = peek(("task_count", user.pk, False))
    if seconds <= 0 or session is None:
        return live if live is not None else task_count_for_user(user=user)
    now = time.time()
    kept = session.get(TASK_BADGE_SESSION_KEY)
    fresh = isinstance(kept, list) and len(kept) == 3 and kept[0] == user.pk and 0 <= now - kept[1] < seconds
    if live is None and fresh:
        return kept[2]
    count = live if live is not None else task_count_for_user(user=user)
    if not fresh or kept[2] != count:
        session[TASK_BADGE_SESSION_KEY] = [user.pk, now, count]
    return count


def shell(request):
    context = {"nav_items": nav_items()}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Lazy: evaluated only when the template prints it, once per page.
        context["my_task_count"] = lambda: task_badge(request)
    return context
