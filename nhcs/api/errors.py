"""One answer for every refusal: the workflow's errors mapped as the pages map them (nhcs.workflow.errors),
bad input as a field-level JSON error, a record the user may not read as 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from nhcs.workflow.errors import refusal_status
from nhcs.workflow.exceptions import WorkflowError


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    messages = serializers.ListField(child=serializers.CharField(), required=False)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class FormInvalid(Exception):
    """A bound form (or the API's own fields) refused the input: 400 with the reasons per field."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(str(errors))


def form_errors(form) -> dict[str, list[str]]:
    return {name: [str(e["message"]) for e in items] for name, items in form.errors.get_json_data().items()}


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(k): [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": [str(x) for x in detail]}
    return {"non_field_errors": [str(detail)]}


def refusal(error: WorkflowError) -> Response:
    texts = error.messages()
    return Response({"detail": texts[0] if texts else str(error), "messages": texts}, status=refusal_status(error))


def exception_handler(exc, context):
    if isinstance(exc, WorkflowError):
        return refusal(exc)
    if isinstance(exc, FormInvalid):
        return Response({"detail": _("Please correct the errors below."), "errors": exc.errors}, status=400)
    if isinstance(exc, exceptions.ValidationError):
        return Response({"detail": _("Please correct the errors below."), "errors": _flatten(exc.detail)}, status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    return response
