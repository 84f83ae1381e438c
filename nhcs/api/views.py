"""The API's endpoints, built from the areas' declared resources (nhcs.api.registry): thin, like the pages
they mirror — bind the page's form, call the page's service, answer with the record or the refusal."""

from __future__ import annotations

import re

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.db import models
from django.forms.models import model_to_dict
from django.http import QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from nhcs.workflow import services as wf
from nhcs.workflow.choices import AttachmentKind, TaskKind, TaskStatus
from nhcs.workflow.exceptions import NotAllowed, StaleRecord
from nhcs.workflow.forms import AttachmentForm, OpinionForm, TransitionForm
from nhcs.workflow.models import Attachment, Task
from nhcs.workflow.views import attachment_file, get_record_for

from .errors import ErrorSerializer, FormInvalid, form_errors
from .forms import form_serializer
from .registry import Resource

MAX_INT = 2**31 - 1


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200

    def get_offset(self, request):
        # Far beyond any list, and never beyond what the database takes.
        return min(super().get_offset(request), 10**9)


def _camel(*parts: str) -> str:
    return "".join(p[:1].upper() + p[1:] for part in parts for p in re.split(r"[^0-9A-Za-z]+", part) if p)


def error_responses(*codes: int) -> dict:
    texts = {
        400: gettext_lazy("Bad input: the reasons, per field where they belong to one."),
        403: gettext_lazy("You may not take this action on this record."),
        404: gettext_lazy("No such record, or not one you may read."),
        409: gettext_lazy("The record changed meanwhile (stale version, or the action no longer applies)."),
    }
    return {code: OpenApiResponse(ErrorSerializer, description=texts[code]) for code in codes}


def body_of(request) -> dict:
    data = request.data
    if isinstance(data, QueryDict):
        # A multipart post: its fields as text (or lists of text), its files apart (request.FILES).
        return {k: (v if len(v) > 1 else v[0]) for k, v in data.lists() if k not in request.FILES and v}
    if not isinstance(data, dict):
        raise FormInvalid({"non_field_errors": [_("Send a JSON object.")]})
    return data


def as_post(data: dict) -> dict:
    """JSON input as the browser would post it (text, lists of text), so the page's form reads it exactly
    as it reads a page's post."""
    out = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            out[key] = [_text(v) for v in value]
        else:
            out[key] = _text(value)
    return out


def _text(value) -> str:
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, (dict, list, tuple)):
        return ""
    return str(value)


def bind(form_class, data, **kwargs):
    form = form_class(data=as_post(data), **kwargs)
    if not form.is_valid():
        raise FormInvalid(form_errors(form))
    return form


def initial_data(form_class, kwargs: dict) -> dict:
    """What the page's form starts with (the model's defaults …): a field the input leaves out keeps it."""
    form = form_class(**kwargs)
    out = {}
    for name, field in form.fields.items():
        value = form.get_initial_for_field(field, name)
        if value in (None, "", [], ()):
            continue
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def version_of(body: dict) -> int:
    value = body.get("version")
    text = str(value)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not (text.isascii() and text.isdigit()):
        raise FormInvalid({"version": [_("Give the version of the record you read (a whole number).")]})
    return min(int(text), MAX_INT + 1) if len(text) < 12 else MAX_INT + 1


_SERIALIZERS: dict[str, type[serializers.ModelSerializer]] = {}


def record_serializer(resource: Resource) -> type[serializers.ModelSerializer]:
    """The answer's serializer of a resource (one class per resource: one component in the schema)."""
    if resource.name not in _SERIALIZERS:
        _SERIALIZERS[resource.name] = _record_serializer(resource)
    return _SERIALIZERS[resource.name]


def _record_serializer(resource: Resource) -> type[serializers.ModelSerializer]:
    fields = ["id"]
    attrs: dict = {}
    if resource.is_workflow:
        fields += ["number", "state", "state_label", "version"]
        attrs["state_label"] = serializers.CharField(read_only=True)
    fields += [f for f in resource.fields if f not in fields]
    for name, value in resource.serializer_fields.items():
        attrs[name] = value() if callable(value) and not isinstance(value, serializers.Field) else value
        fields.append(name)
    meta = type("Meta", (), {"model": resource.model, "fields": fields, "read_only_fields": fields})
    return type(f"{_camel(resource.name)}Serializer", (RecordSerializer,), {"Meta": meta, **attrs})


class RecordSerializer(serializers.ModelSerializer):
    # Stored text as it is: an e-mail address or a link left empty is "" (no format to promise).
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.EmailField: serializers.CharField,
        models.URLField: serializers.CharField,
    }


def get_for(resource: Resource, request, pk: int):
    if resource.get is not None:
        return resource.get(request, pk)
    if resource.is_workflow:
        queryset = resource.queryset(request)
        return get_record_for(request, resource.model, pk, queryset=queryset)
    return get_object_or_404(resource.queryset(request), pk=pk)


def _form_data(record, form_class) -> dict:
    """The record's current values as form input, so a PATCH sends only what changes."""
    values = model_to_dict(record, fields=list(form_class.base_fields))
    out = {}
    for name, value in values.items():
        if isinstance(value, (list, tuple)):
            value = [getattr(v, "pk", v) for v in value]
        out[name] = value
    return out


def _kwargs(resource: Resource, request) -> dict:
    return resource.form_kwargs(request) if resource.form_kwargs else {}


# --- list and create, detail and update -------------------------------------------------------------


def list_view(resource: Resource, out):
    tag = resource.tag or resource.name

    class ListView(generics.ListAPIView):
        serializer_class = out
        pagination_class = Pagination
        filter_backends = [DjangoFilterBackend] if resource.filterset else []
        filterset_class = resource.filterset
        queryset = resource.model._default_manager.none()

        def get_queryset(self):
            if getattr(self, "swagger_fake_view", False):
                return resource.model._default_manager.none()
            return resource.queryset(self.request).order_by(*resource.ordering)

        @extend_schema(tags=[tag], responses={200: out(many=True), **error_responses(400, 404)})
        def get(self, request, *args, **kwargs):
            return super().get(request, *args, **kwargs)

    attrs = {}
    if resource.create is not None:
        create_in = form_serializer(
            resource.create_form, name=f"{_camel(resource.name)}CreateInput", extra=resource.create_extra
        )

        created_out = out(many=True) if resource.create_many else out

        @extend_schema(
            tags=[tag],
            request=create_in,
            responses={201: created_out, 200: created_out, **error_responses(400, 403, 404, 409)},
        )
        def post(self, request, *args, **kwargs):
            resource.queryset(request)  # 404 for those who have no such list
            if resource.can_create is not None and not resource.can_create(request.user):
                raise NotAllowed()
            kwargs = _kwargs(resource, request)
            body = {**initial_data(resource.create_form, kwargs), **body_of(request)}
            form = bind(resource.create_form, body, **kwargs)
            created = resource.create(request, form)
            # An upsert answers 200 with the record it found, 201 with the one it made.
            created, new = created if isinstance(created, tuple) else (created, True)
            answer = out(created, many=resource.create_many, context={"request": request}).data
            return Response(answer, status=201 if new else 200)

        attrs["post"] = post
    return type(f"{_camel(resource.name)}List", (ListView,), attrs)


def detail_view(resource: Resource, out):
    tag = resource.tag or resource.name

    class DetailView(generics.GenericAPIView):
        serializer_class = out
        queryset = resource.model._default_manager.none()

        @extend_schema(tags=[tag], responses={200: out, **error_responses(404)})
        def get(self, request, pk: int):
            return Response(out(get_for(resource, request, pk), context={"request": request}).data)

    attrs = {}
    if resource.update_form is not None:
        extra = {}
        if resource.is_workflow:
            extra = {
                "version": serializers.IntegerField(min_value=1, max_value=MAX_INT),
                "change_reason": serializers.CharField(required=False, allow_blank=True, max_length=100),
            }
        extra = {**extra, **resource.update_extra}
        update_in = form_serializer(
            resource.update_form, name=f"{_camel(resource.name)}UpdateInput", extra=extra, partial=True
        )

        @extend_schema(tags=[tag], request=update_in, responses={200: out, **error_responses(400, 403, 404, 409)})
        def patch(self, request, pk: int):
            record = get_for(resource, request, pk)
            body = body_of(request)
            if resource.update is not None:
                current = _form_data(record, resource.update_form)
                if resource.edit_data is not None:
                    current.update(resource.edit_data(record))
                form = bind(
                    resource.update_form,
                    {**current, **body},
                    instance=type(record)._default_manager.get(pk=record.pk),
                    **_kwargs(resource, request),
                )
                return Response(out(resource.update(request, record, form), context={"request": request}).data)
            # A workflow record: the engine's edit rules, as the edit page (RecordEditView).
            if not wf.can_edit_record(user=request.user, record=record):
                raise NotAllowed()
            version = version_of(body)
            form = bind(resource.update_form, {**_form_data(record, resource.update_form), **body}, instance=record)
            updated = wf.record_update(
                record=record,
                user=request.user,
                changes={name: form.cleaned_data[name] for name in form.changed_data},
                reason=str(body.get("change_reason") or ""),
                expected_version=version,
            )
            return Response(out(updated, context={"request": request}).data)

        attrs["patch"] = patch
    return type(f"{_camel(resource.name)}Detail", (DetailView,), attrs)


# --- the workflow: transitions and review steps -------------------------------------------------------


class ActionOptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    allowed = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField()


class StepOptionSerializer(serializers.Serializer):
    step = serializers.CharField()
    label = serializers.CharField()
    task = serializers.IntegerField()
    problems = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField()


class ActionsSerializer(serializers.Serializer):
    transitions = ActionOptionSerializer(many=True)
    steps = StepOptionSerializer(many=True)


def actions_view(resource: Resource, hidden: set[str]):
    tag = resource.tag or resource.name

    class ActionsView(APIView):
        @extend_schema(tags=[tag], responses={200: ActionsSerializer, **error_responses(404)})
        def get(self, request, pk: int):
            """The actions the user may take on the record now, each with what still blocks it."""
            record = get_for(resource, request, pk)
            options = wf.transition_options(record=record, user=request.user)
            transitions = [
                {
                    "name": o.name,
                    "label": str(o.transition.label),
                    "allowed": o.allowed,
                    "problems": o.problems,
                    "url": reverse(f"api:{resource.name}-{o.name}", args=[record.pk]),
                }
                for o in options
                if o.name not in hidden
            ]
            steps = []
            for task in Task.objects.for_record(record).filter(kind=TaskKind.STEP, status=TaskStatus.OPEN):
                try:
                    wf.step_check(task=task, user=request.user, record=record)
                except NotAllowed:
                    continue
                step = record.flow.step(task.step)
                steps.append(
                    {
                        "step": task.step,
                        "label": str(record.flow.step_label(task.step)),
                        "task": task.pk,
                        "problems": wf.step_problems(step=step, record=record),
                        "url": reverse(f"api:{resource.name}-step-{task.step}", args=[record.pk]),
                    }
                )
            return Response({"transitions": transitions, "steps": steps})

    return type(f"{_camel(resource.name)}Actions", (ActionsView,), {})


def transition_view(resource: Resource, transition, out):
    tag = resource.tag or resource.name
    extra = {
        "version": serializers.IntegerField(
            min_value=1, max_value=MAX_INT, help_text=gettext_lazy("The version of the record you read.")
        ),
        "comment": serializers.CharField(required=False, allow_blank=True),
    }
    action_in = form_serializer(
        transition.form,
        name=f"{_camel(resource.name, transition.name)}Input",
        kwargs={"record": None},
        extra=extra,
    )
    # A transition that wants a document (the customer's written confirmation …) takes it with the action,
    # as the page's action form does: multipart, `file` and its `attachment_kind`.
    wanted = wf.TransitionOption(transition=transition, allowed=True, problems=[]).wanted_attachment_kind
    request_schema = action_in
    parsers = [JSONParser]
    if wanted:
        upload_in = form_serializer(
            transition.form,
            name=f"{_camel(resource.name, transition.name)}UploadInput",
            kwargs={"record": None},
            extra={
                **extra,
                "file": serializers.FileField(help_text=gettext_lazy("The document the action wants.")),
                "attachment_kind": serializers.ChoiceField(
                    choices=AttachmentKind.choices, required=False, default=wanted
                ),
            },
        )
        request_schema = {"application/json": action_in, "multipart/form-data": upload_in}
        parsers = [JSONParser, MultiPartParser]

    @extend_schema(
        tags=[tag],
        summary=transition.label,
        description=f"{transition.name}: {', '.join(transition.sources)} → {transition.target}",
        request=request_schema,
        responses={200: out, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        record = get_for(resource, request, pk)
        body = body_of(request)
        version = version_of(body)
        comment = body.get("comment") or ""
        if not isinstance(comment, str):
            raise FormInvalid({"comment": [_("Enter text.")]})
        if record.state in transition.sources:
            # Who may take it is checked before the input: a refusal is 403 whatever was sent.
            wf.transition_check(record=record, transition=transition, user=request.user)
        data = None
        if transition.form is not None:
            data = bind(transition.form, body, record=record).cleaned_data
        attachments = []
        upload = request.FILES.get("file") if wanted else None
        if upload is not None:
            # The page's own action form reads the document and its kind.
            form = TransitionForm(
                data={
                    "version": version,
                    "transition": transition.name,
                    "attachment_kind": _text(body.get("attachment_kind") or wanted),
                },
                files={"attachment": upload},
            )
            if not form.is_valid():
                errors = form_errors(form)
                if "attachment" in errors:
                    errors["file"] = errors.pop("attachment")
                raise FormInvalid(errors)
            attachments = [(upload, form.cleaned_data["attachment_kind"] or AttachmentKind.OTHER, "")]
        done = wf.transition_record(
            record=record,
            name=transition.name,
            user=request.user,
            comment=comment,
            expected_version=version,
            attachments=attachments,
            data=data,
        )
        return Response(out(done, context={"request": request}).data)

    return type(
        f"{_camel(resource.name, transition.name)}Action", (APIView,), {"post": post, "parser_classes": parsers}
    )


def step_view(resource: Resource, step, out):
    tag = resource.tag or resource.name
    form_class = step.form or OpinionForm
    step_in = form_serializer(
        form_class,
        name=f"{_camel(resource.name, step.key)}OpinionInput",
        kwargs={"record": None, "outcomes": step.outcomes},
    )

    @extend_schema(
        tags=[tag],
        summary=step.label,
        request=step_in,
        responses={200: out, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        record = get_for(resource, request, pk)
        body = body_of(request)
        tasks = list(Task.objects.for_record(record).filter(kind=TaskKind.STEP, status=TaskStatus.OPEN, step=step.key))
        if not tasks:
            raise StaleRecord(_("This review step is not open on the record."))
        task = refused = None
        for candidate in tasks:
            try:
                wf.step_check(task=candidate, user=request.user, record=record)
            except NotAllowed as error:
                refused = error
                continue
            task = candidate
            break
        if task is None:
            raise refused
        form = bind(form_class, body, record=record, outcomes=step.outcomes)
        wf.step_complete(task=task, user=request.user, data=form.cleaned_data, record=record)
        return Response(out(type(record)._default_manager.get(pk=record.pk), context={"request": request}).data)

    return type(f"{_camel(resource.name, step.key)}Step", (APIView,), {"post": post})


# --- attachments: a record's numbered files, as its page lists, adds and serves them -------------------


class AttachmentSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="seq")
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    name = serializers.CharField(source="original_name")
    description = serializers.CharField(source="description_text")
    mime_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_by = serializers.CharField(source="uploaded_by.get_username")
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment) -> str:
        return reverse(self.context["url_name"], args=[attachment.object_id, attachment.seq])


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)


def attachments_view(resource: Resource):
    tag = resource.tag or resource.name
    file_url = f"api:{resource.name}-attachment"

    class AttachmentsView(APIView):
        parser_classes = [MultiPartParser]

        def answer(self, attachment):
            return AttachmentSerializer(attachment, context={"url_name": file_url}).data

        @extend_schema(tags=[tag], responses={200: AttachmentSerializer(many=True), **error_responses(404)})
        def get(self, request, pk: int):
            """The record's attachments, numbered within it, each with its download address."""
            record = get_for(resource, request, pk)
            attachments = Attachment.objects.for_record(record).select_related("uploaded_by")
            return Response([self.answer(a) for a in attachments])

        @extend_schema(
            tags=[tag],
            request={"multipart/form-data": AttachmentInputSerializer},
            responses={201: AttachmentSerializer, **error_responses(400, 403, 404, 409)},
        )
        def post(self, request, pk: int):
            """Attach a file, as the record's page does (who may attach, the file's type and size)."""
            record = get_for(resource, request, pk)
            if not wf.can_attach(user=request.user, record=record):
                raise NotAllowed()
            form = AttachmentForm(body_of(request), request.FILES)
            if not form.is_valid():
                raise FormInvalid(form_errors(form))
            attachment = wf.attachment_add(
                record=record,
                user=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
            )
            return Response(self.answer(attachment), status=201)

    return type(f"{_camel(resource.name)}Attachments", (AttachmentsView,), {})


def attachment_view(resource: Resource):
    tag = resource.tag or resource.name

    class AttachmentFileView(APIView):
        @extend_schema(
            tags=[tag],
            responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **error_responses(404)},
        )
        def get(self, request, pk: int, number: int):
            """The attachment's file, for the record's readers only (the page's check)."""
            record = get_for(resource, request, pk)
            attachment = get_object_or_404(Attachment.objects.for_record(record), seq=min(number, MAX_INT))
            return attachment_file(request, attachment)

    return type(f"{_camel(resource.name)}AttachmentFile", (AttachmentFileView,), {})


def resource_urls(resource: Resource) -> list:
    out = record_serializer(resource)
    name = resource.name
    urls = [
        path(f"{name}/", list_view(resource, out).as_view(), name=f"{name}-list"),
        path(f"{name}/<int:pk>/", detail_view(resource, out).as_view(), name=f"{name}-detail"),
    ]
    if resource.is_workflow:
        flow = resource.model.flow
        hidden = set(resource.hidden_transitions)
        urls.append(path(f"{name}/<int:pk>/actions/", actions_view(resource, hidden).as_view(), name=f"{name}-actions"))
        urls.append(
            path(f"{name}/<int:pk>/attachments/", attachments_view(resource).as_view(), name=f"{name}-attachments")
        )
        urls.append(
            path(
                f"{name}/<int:pk>/attachments/<int:number>/",
                attachment_view(resource).as_view(),
                name=f"{name}-attachment",
            )
        )
        for transition in flow.transitions:
            if transition.name in hidden:
                continue
            urls.append(
                path(
                    f"{name}/<int:pk>/actions/{transition.name}/",
                    transition_view(resource, transition, out).as_view(),
                    name=f"{name}-{transition.name}",
                )
            )
        for step in flow.steps:
            urls.append(
                path(
                    f"{name}/<int:pk>/steps/{step.key}/",
                    step_view(resource, step, out).as_view(),
                    name=f"{name}-step-{step.key}",
                )
            )
    for route, view, view_name in resource.extra:
        urls.append(path(route, view, name=view_name))
    return urls


# --- the documentation -----------------------------------------------------------------------------------


# The one <style> element Swagger UI adds at run time (its SVG icons' sizes), allowed by its hash alone.
SWAGGER_UI_STYLE = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='"


@login_required
@csp_update({"style-src": [SWAGGER_UI_STYLE]})
def docs(request):
    """Swagger UI from our own static files (drf-spectacular-sidecar), started by our own script: the CSP
    allows no inline code (but the hash of Swagger UI's own style). The schema is in the page's language."""
    get_token(request)  # the CSRF cookie the page's requests carry back (session login)
    schema_url = reverse("api-schema") + f"?lang={get_language() or 'zh-hans'}"
    return render(request, "api/docs.html", {"schema_url": schema_url})


# --- an area's own action on a record (not a transition of its flow) ------------------------------------


def record_action(
    resource: Resource,
    *,
    name: str,
    form_class,
    call,
    out,
    may=None,
    status: int = 201,
    summary=None,
):
    """A POST on one record the user reads, whose input is the page's form: `may(user, record)` first
    (403), then the form (400), then `call(request, record, cleaned_data)` (the page's service) whose
    result is answered with `out`."""
    tag = resource.tag or resource.name
    action_in = form_serializer(form_class, name=f"{_camel(resource.name, name)}Input")

    @extend_schema(
        tags=[tag], summary=summary, request=action_in, responses={status: out, **error_responses(400, 403, 404, 409)}
    )
    def post(self, request, pk: int):
        record = get_for(resource, request, pk)
        if may is not None and not may(request.user, record):
            raise NotAllowed()
        form = bind(form_class, body_of(request))
        result = call(request, record, form.cleaned_data)
        return Response(out(result, context={"request": request}).data, status=status)

    return type(f"{_camel(resource.name, name)}View", (APIView,), {"post": post}).as_view()
