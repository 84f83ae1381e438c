"""Workflow pages shared by every area: a record page with its actions, an edit page, My tasks, files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from . import selectors, services
from .choices import TaskKind, TaskStatus
from .exceptions import NotAllowed, StaleRecord, WorkflowError
from .forms import AttachmentForm, DelegationForm, StepForm, TransitionForm
from .models import Attachment, Delegation, Task, WorkflowRecord


def get_record_for(request, model: type[WorkflowRecord], pk: int, *, queryset=None) -> WorkflowRecord:
    """Fetch a record and check the user may see it, in one place (404 if missing, 403 if not allowed)."""
    record = get_object_or_404(queryset if queryset is not None else model.objects.all(), pk=pk)
    if not services.can_view_record(user=request.user, record=record):
        raise PermissionDenied
    return record


def workflow_context(request, record: WorkflowRecord, *, bound: dict | None = None) -> dict:
    """What the shared record panel (actions, steps, sign-offs, files, history) needs."""
    bound = bound or {}
    options = services.transition_options(record=record, user=request.user)
    forms_by_name = {}
    for option in options:
        form = bound.get(("transition", option.name))
        if form is None:
            initial = {"version": record.version, "transition": option.name}
            if option.wants_attachment:
                initial["attachment_kind"] = option.wanted_attachment_kind
            form = TransitionForm(initial=initial, prefix=f"t-{option.name}")
        forms_by_name[option.name] = form
    my_steps = []
    for task in selectors.steps_for(record=record):
        if task.status != TaskStatus.OPEN:
            continue
        try:
            services.step_check(task=task, user=request.user)
        except WorkflowError:
            continue
        step = record.flow.step(task.step)
        form = bound.get(("step", task.pk)) or StepForm(initial={"task": task.pk}, prefix=f"s-{task.pk}")
        form.fields["outcome"].choices = [c for c in form.fields["outcome"].choices if c[0] in step.outcomes]
        my_steps.append((task, form))
    return {
        "record": record,
        "flow": record.flow,
        "transition_options": [(o, forms_by_name[o.name]) for o in options],
        "my_steps": my_steps,
        "steps": selectors.steps_for(record=record),
        "signoffs": selectors.signoffs_for(record=record),
        "attachments": selectors.attachments_for(record=record),
        "history": selectors.history_for(record=record),
        "attachment_form": bound.get("attachment") or AttachmentForm(prefix="att"),
        "can_edit": services.can_edit_record(user=request.user, record=record),
        "open_tasks": Task.objects.for_record(record).open().select_related("department", "assignee"),
    }


class RecordDetailView(LoginRequiredMixin, View):
    """A record page. POSTs take a transition, finish a review step or add a file; a refusal re-renders
    the page with the user's input kept and the reasons shown."""

    model: type[WorkflowRecord]
    template_name: str

    def get_queryset(self):
        return self.model.objects.all()

    def get_record(self):
        return get_record_for(self.request, self.model, self.kwargs["pk"], queryset=self.get_queryset())

    def get_context_data(self, record, **kwargs) -> dict:
        return kwargs

    def render_page(self, record, *, bound=None, status=200):
        context = workflow_context(self.request, record, bound=bound)
        context.update(self.get_context_data(record))
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_page(self.get_record())

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        action = request.POST.get("_action")
        handler = {"transition": self._transition, "step": self._step, "attachment": self._attachment}.get(action)
        if handler is None:
            return self.render_page(record, status=400)
        return handler(record)

    def _refused(self, record, error: WorkflowError, bound: dict):
        for text in error.messages():
            messages.error(self.request, text)
        record.refresh_from_db()
        if isinstance(error, NotAllowed):
            status = 403
        elif isinstance(error, StaleRecord):
            status = 409
        else:
            status = 400
        return self.render_page(record, bound=bound, status=status)

    def _transition(self, record):
        name = self.request.POST.get("transition_name", "")
        form = TransitionForm(self.request.POST, self.request.FILES, prefix=f"t-{name}")
        bound = {("transition", name): form}
        if not form.is_valid():
            messages.error(self.request, _("Please correct the errors below."))
            return self.render_page(record, bound=bound, status=400)
        upload = form.cleaned_data.get("attachment")
        kind = form.cleaned_data.get("attachment_kind") or "other"
        try:
            with services.files_discarded_on_failure():
                record = services.transition_record(
                    record=record,
                    name=form.cleaned_data["transition"],
                    user=self.request.user,
                    comment=form.cleaned_data["comment"],
                    expected_version=form.cleaned_data["version"],
                    attachments=[(upload, kind, "")] if upload else [],
                )
        except WorkflowError as error:
            return self._refused(record, error, bound)
        messages.success(
            self.request,
            _("Done: %(record)s is now “%(state)s”.") % {"record": record.number, "state": record.state_label},
        )
        return HttpResponseRedirect(record.get_absolute_url())

    def _step(self, record):
        task_id = self.request.POST.get("task_id", "")
        form = StepForm(self.request.POST, prefix=f"s-{task_id}")
        bound = {("step", int(task_id) if task_id.isdigit() else 0): form}
        if not form.is_valid():
            messages.error(self.request, _("Please correct the errors below."))
            return self.render_page(record, bound=bound, status=400)
        task = get_object_or_404(Task.objects.for_record(record), pk=form.cleaned_data["task"], kind=TaskKind.STEP)
        try:
            services.step_complete(
                task=task,
                user=self.request.user,
                outcome=form.cleaned_data["outcome"],
                comment=form.cleaned_data["comment"],
            )
        except WorkflowError as error:
            return self._refused(record, error, bound)
        messages.success(self.request, _("Your opinion is recorded."))
        return HttpResponseRedirect(record.get_absolute_url())

    def _attachment(self, record):
        if not services.can_attach(user=self.request.user, record=record):
            raise PermissionDenied
        form = AttachmentForm(self.request.POST, self.request.FILES, prefix="att")
        bound = {"attachment": form}
        if not form.is_valid():
            messages.error(self.request, _("Please correct the errors below."))
            return self.render_page(record, bound=bound, status=400)
        try:
            with services.files_discarded_on_failure():
                attachment = services.attachment_add(
                    record=record,
                    user=self.request.user,
                    upload=form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                    description=form.cleaned_data["description"],
                )
        except WorkflowError as error:
            form.add_error("file", error.message)
            messages.error(self.request, error.message)
            return self.render_page(record, bound=bound, status=400)
        messages.success(self.request, _("Attached as no. %(seq)s.") % {"seq": attachment.seq})
        return HttpResponseRedirect(record.get_absolute_url() + "#attachments")


class RecordEditView(LoginRequiredMixin, View):
    """Edit a record's data. Outside draft the form asks for the reason, kept as the change mark."""

    model: type[WorkflowRecord]
    form_class: type
    template_name = "workflow/record_form.html"

    def get_record(self):
        return get_record_for(self.request, self.model, self.kwargs["pk"])

    def build_form(self, record, data=None, files=None):
        form = self.form_class(data, files, instance=record)
        return form

    def context(self, record, form, reason="", version=None):
        return {
            "record": record,
            "form": form,
            "needs_reason": record.state != record.flow.initial,
            "reason": reason,
            "version": version if version is not None else record.version,
            "reopens": record.flow.edit_states.get(record.state),
        }

    def check(self, record):
        if not services.can_edit_record(user=self.request.user, record=record):
            raise PermissionDenied

    def get(self, request, *args, **kwargs):
        record = self.get_record()
        self.check(record)
        return render(request, self.template_name, self.context(record, self.build_form(record)))

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        self.check(record)
        form = self.build_form(record, request.POST, request.FILES)
        reason = request.POST.get("change_reason", "")
        version = request.POST.get("version", "")
        if not form.is_valid():
            return render(request, self.template_name, self.context(record, form, reason, version), status=400)
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            record = services.record_update(
                record=record,
                user=request.user,
                changes=changes,
                reason=reason,
                expected_version=int(version) if version.isdigit() else -1,
            )
        except WorkflowError as error:
            for text in error.messages():
                messages.error(request, text)
            status = 403 if isinstance(error, NotAllowed) else 409 if isinstance(error, StaleRecord) else 400
            return render(request, self.template_name, self.context(record, form, reason, version), status=status)
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(record.get_absolute_url())


@login_required
def my_tasks(request):
    tasks = selectors.tasks_for_user(user=request.user)
    queue = list(selectors.department_queue(user=request.user)) if request.user.is_manager else []
    return render(request, "workflow/my_tasks.html", {"tasks": tasks, "queue": queue})


@login_required
def attachment_download(request, pk: int):
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    record = attachment.record
    if record is None:
        raise Http404
    if isinstance(record, WorkflowRecord):
        allowed = services.can_view_record(user=request.user, record=record)
    else:
        allowed = getattr(record, "can_be_seen_by", lambda user: False)(request.user)
    if not allowed:
        raise PermissionDenied
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=request.GET.get("inline") != "1"
        or attachment.mime_type not in {"application/pdf", "image/png", "image/jpeg"},
        filename=attachment.original_name,
        content_type=attachment.mime_type,
    )


@login_required
def delegation_list(request):
    form = None
    if request.user.is_manager:
        form = DelegationForm(request.POST or None, principal=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                services.delegation_create(principal=request.user, **form.cleaned_data)
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Deputy named."))
                return redirect("workflow:delegation_list")
    elif request.method == "POST":
        raise PermissionDenied
    context = {
        "form": form,
        "mine": Delegation.objects.filter(principal=request.user).select_related("deputy"),
        "deputising": Delegation.objects.filter(deputy=request.user).select_related("principal"),
    }
    return render(
        request, "workflow/delegation_list.html", context, status=400 if form is not None and form.errors else 200
    )


@login_required
@require_POST
def delegation_end(request, pk: int):
    delegation = get_object_or_404(Delegation, pk=pk)
    try:
        with transaction.atomic():
            services.delegation_end(delegation=delegation, user=request.user)
    except WorkflowError:
        raise PermissionDenied from None
    messages.success(request, _("Deputy ended."))
    return redirect("workflow:delegation_list")
