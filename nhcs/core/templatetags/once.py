from django import template
from django.utils.html import format_html

from nhcs.core.once import FIELD, once_token_issue

register = template.Library()


@register.simple_tag(takes_context=True)
def once_token(context) -> str:
    """The create form's one-time token as a hidden field (nhcs.core.once)."""
    request = context["request"]
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, once_token_issue(user=request.user))
