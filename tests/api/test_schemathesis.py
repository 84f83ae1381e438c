"""schemathesis against /api/schema/: a fixed set of GET and POST operations, a few cases each, on real
records; no answer is a 5xx and every answer matches the schema. The multipart uploads (attachments, a
transition's document) are left to tests/api/test_attachments.py."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from nhcs.api.services import token_create

pytestmark = pytest.mark.django_db

CASES = 4
# (method, path, which record fills {id})
OPERATIONS = [
    ("GET", "/api/v1/customers/", None),
    ("POST", "/api/v1/customers/", None),
    ("GET", "/api/v1/orders/", None),
    ("GET", "/api/v1/orders/{id}/", "order"),
    ("POST", "/api/v1/orders/", None),
    ("PATCH", "/api/v1/orders/{id}/", "order"),
    ("POST", "/api/v1/orders/{id}/actions/submit/", "order"),
    ("POST", "/api/v1/orders/{id}/steps/rd/", "order"),
    ("GET", "/api/v1/orders/{id}/attachments/", "order"),
    ("GET", "/api/v1/shipments/", None),
    ("POST", "/api/v1/shipments/", None),
    ("GET", "/api/v1/complaints/", None),
    ("POST", "/api/v1/complaints/{id}/actions/first_reply/", "complaint"),
    ("GET", "/api/v1/change-notices/", None),
    ("POST", "/api/v1/change-notices/", None),
    ("POST", "/api/v1/feedback/", None),
    ("POST", "/api/v1/advisory-notices/", None),
    ("GET", "/api/v1/surveys/", None),
    ("POST", "/api/v1/surveys/", None),
    ("POST", "/api/v1/property-items/", None),
]


@pytest.fixture
def wsgi():
    """The application called in the test's transaction, as Django's test client calls it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_no_server_error_and_answers_match_the_schema(demo, order, complaint, wsgi):
    _token, key = token_create(user=demo["sales"], name="fuzz")
    headers = {"Authorization": f"Token {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json&lang=en", wsgi, headers=headers)
    records = {"order": order, "complaint": complaint}
    for method, path, record in OPERATIONS:
        operation = schema[path][method]
        strategy = operation.as_strategy(path_parameters={"id": records[record].pk} if record else None)

        @settings(
            max_examples=CASES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def check(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

        check()
