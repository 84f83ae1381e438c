from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from customer_property import services
from customer_property.models import Location, PropertyItem
from nhcs.customers.models import Customer
from nhcs.workflow import services as wf

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="receipt.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def reload(item):
    return type(item).objects.get(pk=item.pk)


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English, the source language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client_for(client_for):
    def make(user):
        from django.conf import settings

        c = client_for(user)
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return c

    return make


@pytest.fixture
def customer(db):
    return Customer.objects.create(code="T001", name_zh="测试客户", name_en="Test customer", language="zh-hans")


@pytest.fixture
def rack(db):
    return Location.objects.create(code="R-01", name="Rack 01")


@pytest.fixture
def shelf(db):
    return Location.objects.create(code="S-02", name="Shelf 02")


def verification(item, quantity=None, findings=""):
    return {
        "inspected_on": timezone.localdate().isoformat(),
        "checks": ["appearance", "quantity"],
        "criteria": "Drawing 123",
        "quantity_found": str(quantity if quantity is not None else item.quantity),
        "findings": findings,
    }


@pytest.fixture
def make_item(demo, customer):
    def make(**data):
        values = {
            "customer": customer,
            "kind": "parts",
            "name": "Terminal T-20",
            "quantity": Decimal(100),
            "unit": "pcs",
            "received_on": timezone.localdate() - timedelta(days=3),
            "received_from": "Customer's truck",
        }
        values.update(data)
        return services.item_register(user=demo["sales"], data=values)

    return make


@pytest.fixture
def mold_data():
    return {
        "kind": "mold",
        "name": "Housing mold",
        "quantity": Decimal(1),
        "unit": "set",
        "cavity_count": 4,
        "shots_at_receipt": 1000,
        "shot_limit": 10000,
    }


@pytest.fixture
def drive(demo, rack):
    """Take an item through the flow with the demo users (by the services)."""

    class Driver:
        def go(self, item, name, username, data=None, comment="", attachments=()):
            return wf.transition_record(
                record=reload(item), name=name, user=demo[username], data=data, comment=comment, attachments=attachments
            )

        def submitted(self, item):
            return self.go(item, "submit", "sales")

        def accepted(self, item, quantity=None):
            item = self.submitted(item)
            return self.go(item, "accept", "qa", verification(item, quantity))

        def stored(self, item, location=None):
            item = self.accepted(item)
            return self.go(item, "store", "warehouse", {"location": (location or rack).pk})

        def rejected(self, item, findings="Scratched"):
            item = self.submitted(item)
            return self.go(item, "reject", "qa", verification(item, findings=findings))

        def move(self, item, kind, username="warehouse", **entry):
            if "moved_on" not in entry:
                entry["moved_on"] = timezone.localdate()
            return services.movement_post(
                item=reload(item), user=demo[username], entry=services.MovementEntry(kind=kind, **entry)
            )

    return Driver()


def post_transition(client, item, name, data=None, comment="", files=None, url=None):
    item = reload(item)
    payload = {
        "_action": "transition",
        "transition_name": name,
        f"t-{name}-version": item.version,
        f"t-{name}-transition": name,
        f"t-{name}-comment": comment,
    }
    for key, value in (data or {}).items():
        payload[f"d-{name}-{key}"] = value
    if files:
        payload[f"t-{name}-attachment"] = files
        payload[f"t-{name}-attachment_kind"] = "written_confirmation"
    return client.post(url or item.get_absolute_url(), payload)


def post_movement(client, item, **data):
    payload = {f"mv-{k}": v for k, v in data.items() if k != "next"}
    payload.setdefault("mv-moved_on", timezone.localdate().isoformat())
    if data.get("next"):
        payload["next"] = data["next"]
    return client.post(f"/property/{item.pk}/movements/", payload)


__all__ = ["PropertyItem"]
