from .navigation import nav_items


def shell(request):
    context = {"nav_items": nav_items()}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from nhcs.workflow.selectors import task_count_for_user

        # Lazy: evaluated only when the template prints it, once per page.
        context["my_task_count"] = lambda: task_count_for_user(user=user)
    return context
