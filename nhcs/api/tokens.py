"""The profile page: the user's API tokens, made (the key shown once) and revoked by the user."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nhcs.workflow.errors import refuse
from nhcs.workflow.exceptions import WorkflowError

from . import services
from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"), max_length=80, help_text=gettext_lazy("e.g. the ERP interface")
    )


@login_required
def profile(request):
    form = TokenForm(prefix="token")
    key = None
    status = 200
    if request.method == "POST":
        what = request.POST.get("_action")
        if what == "create":
            form = TokenForm(request.POST, prefix="token")
            if form.is_valid():
                try:
                    _token, key = services.token_create(user=request.user, name=form.cleaned_data["name"])
                except WorkflowError as error:
                    status = refuse(request, error, form=form)
                else:
                    messages.success(request, _("Token made. Copy its key now: it is not shown again."))
                    form = TokenForm(prefix="token")
            else:
                status = 400
        elif what == "revoke":
            pk = request.POST.get("pk", "")
            token = get_object_or_404(ApiToken, pk=int(pk) if pk.isdigit() and len(pk) < 12 else 0, user=request.user)
            services.token_revoke(token=token, user=request.user)
            messages.success(request, _("Token revoked."))
            return redirect("profile")
        else:
            status = 400
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "api/profile.html", {"form": form, "key": key, "tokens": tokens}, status=status)
