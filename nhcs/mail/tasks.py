"""Background jobs of the mail service (run by the worker: `manage.py db_worker`)."""

from nhcs.jobs import task

from . import services


@task()
def send_mail(*, mail_id: int, attempt: int) -> str:
    """Send one queued mail; on failure the mail records the error and a retry is enqueued for later."""
    return services.mail_send(mail_id=mail_id, attempt=attempt)
