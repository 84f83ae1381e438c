"""Tokens (made and revoked on the profile page, hashed at rest, revoked by the admin), throttling, the
schema and its documentation page, and the same refusals through the API as on the pages."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from nhcs.api.models import ApiToken

from .conftest import JsonClient

pytestmark = pytest.mark.django_db


def make_token(client_for, user, name="ERP"):
    page = client_for(user).post("/accounts/profile/", {"_action": "create", "token-name": name})
    assert page.status_code == 200
    return re.search(r"(nhcs_[A-Za-z0-9_-]{20,})", page.content.decode()).group(1)


def test_token_made_once_hashed_used_and_revoked(demo, client_for, order):
    key = make_token(client_for, demo["sales"])
    token = ApiToken.objects.get(user=demo["sales"])
    assert key not in (token.key_hash, token.prefix) and token.key_hash != key
    assert key not in client_for(demo["sales"]).get("/accounts/profile/").content.decode()  # shown once
    erp = JsonClient(token=key)
    assert erp.get(f"/api/v1/orders/{order.pk}/").status_code == 200
    done = erp.post(f"/api/v1/orders/{order.pk}/actions/submit/", {"version": 1})
    assert done.status_code == 200  # no CSRF for a token
    page = client_for(demo["sales"]).post("/accounts/profile/", {"_action": "revoke", "pk": token.pk})
    assert page.status_code == 302
    assert erp.get("/api/v1/orders/").status_code == 401
    assert JsonClient(token="nhcs_wrong").get("/api/v1/orders/").status_code == 401


def test_tokens_of_others_cannot_be_revoked_but_the_admin_can(demo, client_for):
    make_token(client_for, demo["sales"])
    token = ApiToken.objects.get()
    assert client_for(demo["qa"]).post("/accounts/profile/", {"_action": "revoke", "pk": token.pk}).status_code == 404
    admin = client_for(demo["admin"])
    response = admin.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_for_an_inactive_user_is_refused(demo, client_for):
    key = make_token(client_for, demo["sales"])
    demo["sales"].is_active = False
    demo["sales"].save()
    assert JsonClient(token=key).get("/api/v1/customers/").status_code == 401


def test_throttled(api, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "user": "2/min"})
    sales = api("sales")
    statuses = [sales.get("/api/v1/customers/").status_code for _i in range(3)]
    assert statuses == [200, 200, 429]


# --- the schema and its documentation ------------------------------------------------------------------------


def test_schema_in_both_languages(api):
    sales = api("sales")
    zh = sales.get("/api/schema/", lang="zh-hans", format="json")
    en = sales.get("/api/schema/", lang="en", format="json")
    assert zh.status_code == en.status_code == 200
    assert "/api/v1/orders/{id}/actions/submit/" in zh.json()["paths"] or any(
        p.startswith("/api/v1/orders/") and p.endswith("/actions/submit/") for p in zh.json()["paths"]
    )
    assert "委托书" not in en.content.decode()
    assert zh.content != en.content  # labels and summaries follow the language
    assert Client().get("/api/schema/").status_code in (401, 403)


def test_docs_page_uses_local_assets_under_the_csp(client_for, demo):
    page = client_for(demo["sales"]).get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    csp = page["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "script-src 'self'" in csp
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    for path in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(path), path


# --- the API refuses what the page refuses ------------------------------------------------------------------


def _page_post(client, record, name):
    prefix = f"t-{name}"
    data = {"_action": "transition", "transition_name": name, f"{prefix}-version": record.version}
    data |= {f"{prefix}-transition": name, f"{prefix}-comment": ""}
    return client.post(record.get_absolute_url(), data)


@pytest.fixture
def records(demo, order, complaint, customer):
    from customer_property import services as property_services
    from satisfaction import services as survey_services

    item = property_services.item_register(
        user=demo["sales"],
        data={"customer": customer, "kind": "tooling", "name": "Fixture", "received_from": "Customer"},
    )
    survey = survey_services.campaign_create(user=demo["sales"], title="S", period="2026")
    return {"orders": order, "complaints": complaint, "property-items": item, "surveys": survey}


@pytest.mark.parametrize(
    ("resource", "transition", "username"),
    [
        ("orders", "submit", "planning_head"),
        ("complaints", "withdraw", "planning_head"),
        ("complaints", "withdraw", "engineer"),
        ("property-items", "submit", "qa"),
        ("surveys", "send", "qa_head"),
    ],
)
def test_api_and_page_refuse_alike(records, demo, client_for, resource, transition, username):
    record = records[resource]
    page = _page_post(client_for(demo[username]), record, transition)
    api = JsonClient(demo[username]).post(
        f"/api/v1/{resource}/{record.pk}/actions/{transition}/", {"version": record.version}
    )
    assert page.status_code in (403, 404)
    assert api.status_code == page.status_code
    assert type(record)._default_manager.get(pk=record.pk).state == record.state
