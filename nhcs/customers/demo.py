"""Demo customers for `manage.py seed_demo`: the register (also with --people-only), and the contacts and
certified data of the first customer with the full demo."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .models import Customer, CustomerCertificate, CustomerContact

DEMO_CUSTOMERS = [
    dict(
        code="C001",
        name_zh="深圳华强电子有限公司",
        name_en="Shenzhen Huaqiang Electronics Co., Ltd.",
        email="quality@huaqiang.example",
        preferred_channel="email",
        is_key_account=True,
        language="zh-hans",
        contact_name="张经理",
        address="深圳市福田区华强北路1号",
    ),
    dict(
        code="C002",
        name_zh="东莞长安精密五金厂",
        name_en="Dongguan Chang'an Precision Hardware",
        fax="0769-85550000",
        preferred_channel="fax",
        is_key_account=False,
        language="zh-hans",
        contact_name="李主管",
        address="东莞市长安镇振安路8号",
    ),
    dict(
        code="C003",
        name_zh="德国博世汽车部件",
        name_en="Bosch Automotive Components GmbH",
        email="purchasing@bosch-demo.example",
        preferred_channel="email",
        is_key_account=True,
        language="en",
        contact_name="Ms. Weber",
        address="Robert-Bosch-Platz 1, Gerlingen, Germany",
    ),
    dict(
        code="C004",
        name_zh="香港联合贸易有限公司",
        name_en="Hong Kong United Trading Ltd.",
        email="orders@hkunited.example",
        preferred_channel="letter",
        is_key_account=False,
        language="en",
        contact_name="Mr. Chan",
        address="88 Queen's Road Central, Hong Kong",
    ),
]


def ensure_customers() -> None:
    """The demo customers exist (idempotent; existing ones are left as they are)."""
    for data in DEMO_CUSTOMERS:
        Customer.objects.get_or_create(code=data["code"], defaults=data)


def seed(stdout=None) -> None:
    """Contacts and certified data of C001 (idempotent)."""
    c1 = Customer.objects.filter(code="C001").first()
    if c1 is None:
        return
    if not c1.certificates.exists():
        CustomerCertificate.objects.create(
            customer=c1,
            certificate="UL",
            number="E123456",
            standard="UL 94 V-0",
            scope="Connector housings",
            expires_on=timezone.localdate() + timedelta(days=400),
        )
        CustomerCertificate.objects.create(customer=c1, certificate="RoHS", standard="2011/65/EU", scope="All products")
    if not c1.contacts.exists():
        CustomerContact.objects.create(
            customer=c1, name="张经理", role="采购", phone="0755-83000000", email="quality@huaqiang.example"
        )
