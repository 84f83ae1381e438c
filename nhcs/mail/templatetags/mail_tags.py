from django import template

from nhcs.mail.selectors import mails_about

register = template.Library()


@register.simple_tag
def record_mails(record):
    """{% record_mails record as mails %}: the mails about a record (the page has checked who may see it)."""
    return mails_about(record)


@register.inclusion_tag("mail/_status.html")
def mail_status(mail):
    """A badge with the mail's status; a failed or retried mail shows its last error on hover."""
    return {"mail": mail}
