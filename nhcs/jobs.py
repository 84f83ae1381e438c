"""The Tasks API (background jobs), imported here once for the whole project.

Django 6 ships it as ``django.tasks``; on Django 5.2 the ``django-tasks`` backport provides the same API.
When the project moves to Django 6 this import becomes ``from django.tasks import ...`` (and
``django_tasks`` leaves INSTALLED_APPS); nothing else changes: the ``django_tasks_db`` backend works with both.
"""

from django_tasks import TaskResultStatus, default_task_backend, task, task_backends

__all__ = ["TaskResultStatus", "default_task_backend", "task", "task_backends"]
