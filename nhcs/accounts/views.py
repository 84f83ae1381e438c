"""Account pages that differ from Django's: the password reset is throttled."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext as _

from .throttle import client_address, throttle_allows


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, answering at most settings.NHCS_PASSWORD_RESET_PER_HOUR requests an hour
    per address and per e-mail address; beyond that the form comes back with a message (429) and no mail
    is sent."""

    def form_valid(self, form):
        keys = [f"ip:{client_address(self.request)}", f"email:{form.cleaned_data['email'].strip().lower()}"]
        if not throttle_allows(scope="password_reset", keys=keys, limit=settings.NHCS_PASSWORD_RESET_PER_HOUR):
            form.add_error(None, _("Too many password reset requests. Please try again in an hour."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (429): in the user's language, with the wait."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
