"""Workflow pages shared by every area: a record page with its actions, an edit page, My tasks, files —
and the glue every area's views use: one lookup that fetches and checks reading rights, and
"form → service → message → redirect" (`form_action`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from . import selectors, services
from .choices import TaskKind, TaskStatus
from .errors import refuse
from .exceptions import WorkflowError
from .flow import Directory
from .forms import AttachmentForm, DelegationForm, OpinionForm, TransitionForm
from .models import Attachment, Delegation, Task, WorkflowRecord

# --- the glue ----------------------------------------------------------------------------------------


def request_directory(request) -> Directory:
    """One snapshot of who holds which role per request: roles resolve without a query each."""
    directory = getattr(request, "_nhcs_directory", None)
    if directory is None:
        directory = request._nhcs_directory = Directory()
        if request.user.is_authenticated:
            request.user._nhcs_directory = directory
    return directory


def get_record_for(request, model: type[WorkflowRecord], pk: int, *, queryset=None) -> WorkflowRecord:
    """Fetch a record the user may read, in one place: 404 when it is missing or not theirs to read."""
    if queryset is None:
        queryset = model._default_manager.select_related("created_by__department")
    record = get_object_or_404(queryset, pk=pk)
    if not services.can_read_record(user=request.user, record=record, directory=request_directory(request)):
        raise Http404
    return record


def readable_list(request, queryset):
    """The records of a list (or its sheet) the user may read; 404 for those who have no such list."""
    if not services.can_list_records(user=request.user, flow=queryset.model.flow):
        raise Http404
    return services.readable(queryset, user=request.user)


def form_action(
    request,
    *,
    form,
    call: Callable[[dict[str, Any]], Any],
    success: str | Callable[[Any], str],
    then: str | Callable[[Any], str],
    again: Callable[[int], HttpResponse],
    files_may_be_saved: bool = False,
) -> HttpResponse:
    """Form → service → message → redirect, the same for every page.

    `form` is bound to the POST (or None when the service takes no form data); `call(cleaned_data)`
    runs the service; on success the user sees `success` and goes to `then`; an invalid form or a
    refusal shows the reasons and re-renders with `again(status)`, the user's input kept.
    """
    if form is not None and not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return again(400)
    data = form.cleaned_data if form is not None else {}
    try:
        if files_may_be_saved:
            with services.files_discarded_on_failure():
                result = call(data)
        else:
            result = call(data)
    except WorkflowError as error:
        return again(refuse(request, error, form=form))
    messages.success(request, success(result) if callable(success) else success)
    return HttpResponseRedirect(then(result) if callable(then) else then)


# --- the record page -----------------------------------------------------------------------------------


def _transition_forms(record, option, bound: dict) -> tuple[TransitionForm, Any]:
    form = bound.get(("transition", option.name))
    if form is None:
        initial = {"version": record.version, "transition": option.name}
        if option.wants_attachment:
            initial["attachment_kind"] = option.wanted_attachment_kind
        form = TransitionForm(initial=initial, prefix=f"t-{option.name}")
    data_form = None
    if option.transition.form is not None:
        data_form = bound.get(("data", option.name)) or option.transition.form(prefix=f"d-{option.name}", record=record)
    return form, data_form


def _step_form(step, task, record, data=None):
    form_class = step.form or OpinionForm
    return form_class(data, prefix=f"s-{task.pk}", record=record, outcomes=step.outcomes)


def workflow_context(request, record: WorkflowRecord, *, bound: dict | None = None) -> dict:
    """What the shared record panel (actions, steps, rounds, sign-offs, files, history) needs.

    A constant number of queries whatever the record's state (asserted in tests/workflow).
    """
    bound = bound or {}
    user = request.user
    directory = request_directory(request)
    options = services.transition_options(record=record, user=user, directory=directory)
    actions = []
    for option in options:
        form, data_form = _transition_forms(record, option, bound)
        actions.append((option, form, data_form))
    tasks = list(selectors.tasks_for_record(record=record))
    steps = [t for t in tasks if t.kind == TaskKind.STEP]
    my_steps = []
    for task in steps:
        if task.status != TaskStatus.OPEN:
            continue
        try:
            services.step_check(task=task, user=user, record=record, directory=directory)
        except WorkflowError:
            continue
        step = record.flow.step(task.step)
        form = bound.get(("step", task.pk)) or _step_form(step, task, record)
        my_steps.append((task, form, services.step_problems(step=step, record=record)))
    rounds = selectors.rounds_for(record=record, tasks=tasks)
    signoffs = [s for r in rounds for s in r.signoff_list]
    current_round = rounds[0] if rounds else None
    return {
        "record": record,
        "flow": record.flow,
        "transition_options": [(o, f) for o, f, _d in actions],
        "actions": [a for a in actions if not a[0].optional],
        "optional_actions": [a for a in actions if a[0].optional],
        "my_steps": my_steps,
        "steps": [t for t in steps if current_round is None or t.round_id in (None, current_round.pk)],
        "earlier_steps": [t for t in steps if current_round is not None and t.round_id not in (None, current_round.pk)],
        "rounds": rounds,
        "current_round": current_round,
        "signoffs": signoffs,
        "attachments": selectors.attachments_for(record=record),
        "history": selectors.history_for(record=record),
        "attachment_form": bound.get("attachment") or AttachmentForm(prefix="att"),
        "can_edit": services.can_edit_record(user=user, record=record),
        "can_attach": not record.is_final,
        "open_tasks": [t for t in tasks if t.status == TaskStatus.OPEN],
        "show_hashes": services.is_auditor(user),
    }


class RecordDetailView(LoginRequiredMixin, View):
    """A record page. POSTs take a transition, give a review step's opinion, add a file or (auditors)
    verify the signatures; a refusal re-renders the page with the user's input kept and the reasons
    shown."""

    model: type[WorkflowRecord]
    template_name: str

    def get_queryset(self):
        return self.model._default_manager.select_related("created_by__department")

    def get_record(self):
        return get_record_for(self.request, self.model, self.kwargs["pk"], queryset=self.get_queryset())

    def get_context_data(self, record, **kwargs) -> dict:
        return kwargs

    def render_page(self, record, *, bound=None, status=200, **extra):
        context = workflow_context(self.request, record, bound=bound)
        # What the shared panel read (sign-offs, tasks …) is there for the area's context too.
        self.workflow = context
        context.update(self.get_context_data(record, **extra))
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_page(self.get_record())

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        action = request.POST.get("_action")
        handler = {
            "transition": self._transition,
            "step": self._step,
            "attachment": self._attachment,
            "verify": self._verify,
        }.get(action)
        if handler is None:
            return self.render_page(record, status=400)
        return handler(record)

    def _again(self, record, bound):
        def render_again(status):
            fresh = self.get_queryset().get(pk=record.pk)
            return self.render_page(fresh, bound=bound, status=status)

        return render_again

    def _transition(self, record):
        name = self.request.POST.get("transition_name", "")
        try:
            transition = record.flow.transition(name)
        except KeyError:
            raise Http404 from None
        form = TransitionForm(self.request.POST, self.request.FILES, prefix=f"t-{name}")
        data_form = None
        bound: dict = {("transition", name): form}
        if transition.form is not None:
            data_form = transition.form(self.request.POST, prefix=f"d-{name}", record=record)
            bound[("data", name)] = data_form
            if not data_form.is_valid():
                form.is_valid()
                messages.error(self.request, _("Please correct the errors below."))
                return self.render_page(record, bound=bound, status=400)

        def call(data):
            upload = data.get("attachment")
            kind = data.get("attachment_kind") or "other"
            return services.transition_record(
                record=record,
                name=transition.name,
                user=self.request.user,
                comment=data["comment"],
                expected_version=data["version"],
                attachments=[(upload, kind, "")] if upload else [],
                data=data_form.cleaned_data if data_form is not None else None,
            )

        return form_action(
            self.request,
            form=form,
            call=call,
            success=lambda r: _("Done: %(record)s is now “%(state)s”.") % {"record": r.number, "state": r.state_label},
            then=lambda r: r.get_absolute_url(),
            again=self._again(record, bound),
            files_may_be_saved=True,
        )

    def _step(self, record):
        task_id = self.request.POST.get("task_id", "")
        task = get_object_or_404(
            Task.objects.for_record(record), pk=int(task_id) if task_id.isdigit() else 0, kind=TaskKind.STEP
        )
        step = record.flow.step(task.step)
        form = _step_form(step, task, record, self.request.POST)
        return form_action(
            self.request,
            form=form,
            call=lambda data: services.step_complete(task=task, user=self.request.user, data=data, record=record),
            success=_("Your opinion is recorded."),
            then=record.get_absolute_url(),
            again=self._again(record, {("step", task.pk): form}),
        )

    def _attachment(self, record):
        if not services.can_attach(user=self.request.user, record=record):
            raise PermissionDenied
        form = AttachmentForm(self.request.POST, self.request.FILES, prefix="att")
        return form_action(
            self.request,
            form=form,
            call=lambda data: services.attachment_add(
                record=record,
                user=self.request.user,
                upload=data["file"],
                kind=data["kind"],
                description=data["description"],
            ),
            success=lambda a: _("Attached as no. %(seq)s.") % {"seq": a.seq},
            then=record.get_absolute_url() + "#attachments",
            again=self._again(record, {"attachment": form}),
            files_may_be_saved=True,
        )

    def _verify(self, record):
        try:
            check = services.signatures_verify(record=record, user=self.request.user)
        except WorkflowError as error:
            return self.render_page(record, status=refuse(self.request, error))
        if check.intact:
            messages.success(self.request, check.message)
        else:
            messages.error(self.request, check.message)
            for entry in check.changed_after:
                fields = ", ".join(c.label for c in entry.changes)
                messages.error(self.request, f"{entry.when:%Y-%m-%d %H:%M} {entry.user or '—'}: {fields}")
        return HttpResponseRedirect(record.get_absolute_url())


class RecordEditView(LoginRequiredMixin, View):
    """Edit a record's data. Outside the first state the form asks for the reason, kept as the change
    mark, and the change reopens the approval (a new round)."""

    model: type[WorkflowRecord]
    form_class: type
    template_name = "workflow/record_form.html"

    def get_record(self):
        return get_record_for(self.request, self.model, self.kwargs["pk"])

    def build_form(self, record, data=None, files=None):
        return self.form_class(data, files, instance=record)

    def context(self, record, form, reason="", version=None):
        reopen = record.flow.edit_states.get(record.state)
        return {
            "record": record,
            "form": form,
            "needs_reason": record.state != record.flow.initial,
            "reason": reason,
            "version": version if version is not None else record.version,
            "reopens": reopen,
            "reopen_label": record.flow.transition(reopen).label if reopen else "",
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
        return form_action(
            request,
            form=form,
            call=lambda data: services.record_update(
                record=record,
                user=request.user,
                changes={name: data[name] for name in form.changed_data},
                reason=reason,
                expected_version=int(version) if version.isdigit() else -1,
            ),
            success=_("Saved."),
            then=lambda r: r.get_absolute_url(),
            again=lambda status: render(
                request, self.template_name, self.context(record, form, reason, version), status=status
            ),
        )


TASKS_PAGE_SIZE = 50


@login_required
def my_tasks(request):
    tasks = Paginator(selectors.tasks_for_user_qs(user=request.user), TASKS_PAGE_SIZE).get_page(request.GET.get("page"))
    queue = None
    if request.user.is_manager:
        queue = Paginator(selectors.department_queue(user=request.user), TASKS_PAGE_SIZE).get_page(
            request.GET.get("queue_page")
        )
    # The navigation's count is live on this page: counted here, it refreshes the one kept in the session.
    selectors.task_count_for_user(user=request.user)
    return render(request, "workflow/my_tasks.html", {"tasks": tasks, "queue": queue})


@login_required
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def attachment_download(request, pk: int):
    """A file of a record, for its readers only (404 for anyone else). Our own pages may show a PDF or a
    picture in a frame (a customer's request on the approver's page); no other site may."""
    return attachment_file(request, get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk))


def attachment_file(request, attachment: Attachment):
    """The file of an attachment, for its record's readers only (404 for anyone else): the page's and the
    API's download."""
    record = attachment.record
    if record is None:
        raise Http404
    if isinstance(record, WorkflowRecord):
        allowed = services.can_read_record(user=request.user, record=record)
    else:
        allowed = getattr(record, "can_be_seen_by", lambda user: False)(request.user)
    if not allowed:
        raise Http404
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
        if request.method == "POST":
            return form_action(
                request,
                form=form,
                call=lambda data: services.delegation_create(principal=request.user, **data),
                success=_("Deputy named."),
                then=reverse("workflow:delegation_list"),
                again=lambda status: _delegation_page(request, form, status),
            )
    elif request.method == "POST":
        raise PermissionDenied
    return _delegation_page(request, form, 200)


def _delegation_page(request, form, status):
    context = {
        "form": form,
        "mine": Delegation.objects.filter(principal=request.user).select_related("deputy"),
        "deputising": Delegation.objects.filter(deputy=request.user).select_related("principal"),
    }
    return render(request, "workflow/delegation_list.html", context, status=status)


@login_required
@require_POST
def delegation_end(request, pk: int):
    # Someone else's deputy arrangement is none of the user's business: 404.
    delegation = get_object_or_404(Delegation, pk=pk)
    try:
        services.delegation_end(delegation=delegation, user=request.user)
    except WorkflowError:
        raise Http404 from None
    messages.success(request, _("Deputy ended."))
    return redirect("workflow:delegation_list")
