"""The customer register's move from orders to nhcs.customers keeps every row, id, field, history row
and foreign key, and the survey links given out before the move onto nhcs.links keep working. An old
database, at the migrations before both, is filled through the historical models with the demo customers, an
order and surveyed customers, and migrated forward again; one trip serves both checks.

On PostgreSQL the old database is a new one, migrated forward from nothing to the migrations before the move
(taking the test database back through some sixty migrations costs minutes of state rendering), and dropped
when the test ends; on SQLite the test database itself is taken back, and is at the latest migrations again
when the test ends, whatever happened. Transactional either way."""

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from nhcs.customers.demo import DEMO_CUSTOMERS

pytestmark = pytest.mark.django_db(transaction=True)

# The leaf migrations of the apps concerned before the move (the "old" database).
BEFORE = [
    ("orders", "0003_price_permission_groups"),
    ("satisfaction", "0003_sort_order_label"),
]
# Apps the move created: unapplied entirely for the old database.
NEW_APPS = ["customers", "links"]

WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def before_the_move_plan(executor) -> list:
    """Every migration of the full plan but the move's: those of NEW_APPS, those after BEFORE in their apps,
    and every migration that depends on one of these."""
    graph = executor.loader.graph
    later = {key for key in graph.nodes if key[0] in NEW_APPS}
    for app, name in BEFORE:
        later |= {child for child in graph.node_map[(app, name)].children if child[0] == app}
    for key in list(later):
        later |= set(graph.backwards_plan(key))
    full_plan = executor.migration_plan(graph.leaf_nodes(), clean_start=True)
    return [(migration, False) for migration, _ in full_plan if (migration.app_label, migration.name) not in later]


@contextmanager
def old_database():
    """The default connection on a database at the migrations before the move, for the test's length;
    yields the historical apps of that database."""
    if connection.vendor != "postgresql":
        try:
            executor = migrate([*BEFORE, *[(app, None) for app in NEW_APPS]])
            yield executor.loader.project_state(BEFORE).apps
        finally:
            migrate(latest())
        return
    settings_dict = connection.settings_dict
    test_name = settings_dict["NAME"]
    old_name = f"{test_name}_before_move"
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{old_name}"')
        cursor.execute(f'CREATE DATABASE "{old_name}"')
    settings_dict["NAME"] = old_name
    try:
        executor = MigrationExecutor(connection)
        plan = before_the_move_plan(executor)
        state = executor.migrate(None, plan=plan)
        # As `migrate` left the old database: the content types and permissions of its models.
        emit_post_migrate_signal(0, False, connection.alias, apps=state.apps, plan=plan)
        executor.loader.build_graph()
        applied = executor.loader.applied_migrations
        assert set(BEFORE) <= applied.keys() and not any(app in NEW_APPS for app, _ in applied)
        yield executor.loader.project_state(BEFORE).apps
    finally:
        connection.close()
        settings_dict["NAME"] = test_name
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{old_name}"')


def foreign_key_target(table: str, column: str) -> str:
    with connection.cursor() as cursor:
        relations = connection.introspection.get_relations(cursor, table)
    return relations[column][1]


def fill_old_database(apps) -> dict:
    """Demo customers with contacts, certified data and history, an order and a surveyed customer."""
    User = apps.get_model("accounts", "User")
    Customer = apps.get_model("orders", "Customer")
    HistoricalCustomer = apps.get_model("orders", "HistoricalCustomer")
    Contact = apps.get_model("orders", "CustomerContact")
    HistoricalContact = apps.get_model("orders", "HistoricalCustomerContact")
    Certificate = apps.get_model("orders", "CustomerCertificate")
    HistoricalCertificate = apps.get_model("orders", "HistoricalCustomerCertificate")
    Order = apps.get_model("orders", "Order")
    HistoricalOrder = apps.get_model("orders", "HistoricalOrder")
    OrderLine = apps.get_model("orders", "OrderLine")
    Campaign = apps.get_model("satisfaction", "Campaign")
    Recipient = apps.get_model("satisfaction", "Recipient")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    user = User.objects.create(username="migration-sales", password="!")
    # Ids with gaps, as a long-used register has.
    customers = []
    for i, data in enumerate(DEMO_CUSTOMERS):
        customer = Customer.objects.create(id=100 + 7 * i, **data)
        HistoricalCustomer.objects.create(
            id=customer.id,
            history_date=WHEN,
            history_type="+",
            history_user=user,
            history_change_reason="Imported from customers.xlsx",
            **data,
        )
        customers.append(customer)
    c1 = customers[0]
    HistoricalCustomer.objects.create(
        id=c1.id,
        history_date=WHEN + timedelta(days=1),
        history_type="~",
        history_user=user,
        **{**DEMO_CUSTOMERS[0], "phone": "0755-1"},
    )
    Customer.objects.filter(pk=c1.pk).update(phone="0755-1")
    contact = Contact.objects.create(
        customer=c1, name="张经理", role="采购", phone="0755-83000000", email="z@h.example"
    )
    HistoricalContact.objects.create(
        id=contact.id,
        customer_id=c1.id,
        name="张经理",
        role="采购",
        phone="0755-83000000",
        email="z@h.example",
        history_date=WHEN,
        history_type="+",
        history_user=user,
    )
    certificate = Certificate.objects.create(
        customer=c1,
        certificate="UL",
        number="E123456",
        standard="UL 94 V-0",
        scope="Housings",
        expires_on=date(2027, 6, 30),
    )
    HistoricalCertificate.objects.create(
        id=certificate.id,
        customer_id=c1.id,
        certificate="UL",
        number="E123456",
        standard="UL 94 V-0",
        scope="Housings",
        expires_on=date(2027, 6, 30),
        history_date=WHEN,
        history_type="+",
        history_user=user,
    )
    order = Order.objects.create(
        number="SO-2026-0001",
        state="submitted",
        created_by=user,
        changed_by=user,
        customer=customers[2],
        po_number="PO-MIG-1",
        po_date=date(2026, 3, 1),
    )
    OrderLine.objects.create(
        order=order,
        part_number="NH-CN-2040",
        quantity=Decimal("5000"),
        unit_price=Decimal("0.85"),
        requested_date=date(2026, 4, 15),
    )
    HistoricalOrder.objects.create(
        id=order.id,
        number=order.number,
        state="submitted",
        created_by_id=user.id,
        changed_by_id=user.id,
        customer_id=customers[2].id,
        po_number="PO-MIG-1",
        po_date=date(2026, 3, 1),
        history_date=WHEN,
        history_type="+",
        history_user=user,
    )
    campaign = Campaign.objects.create(
        number="MY-2026-001",
        state="sent",
        created_by=user,
        changed_by=user,
        title="2026 survey",
        period="2026",
        response_deadline=date(2026, 12, 31),
        greeting_zh="您好",
        greeting_en="Dear customer",
    )
    recipient = Recipient.objects.create(
        campaign=campaign,
        customer=customers[1],
        channel="fax",
        token="old-token-" + "x" * 40,
        sent_at=WHEN,
        expires_at=WHEN + timedelta(days=30),
    )
    surveys = fill_old_survey(apps, user, campaign, customers)
    # A group was given rights on the register in the admin.
    customer_type = ContentType.objects.get_or_create(app_label="orders", model="customer")[0]
    permission = Permission.objects.get_or_create(
        content_type=customer_type, codename="change_customer", defaults={"name": "Can change customer"}
    )[0]
    group = Group.objects.create(name="Register keepers (migration test)")
    group.permissions.add(permission)
    return {
        "user": user.id,
        "customers": [c.id for c in customers],
        "contact": contact.id,
        "certificate": certificate.id,
        "order": order.id,
        "recipient": recipient.id,
        "group": group.id,
        **surveys,
    }


def fill_old_survey(apps, user, campaign, customers) -> dict:
    """A sent survey with its questionnaire: one link still open, one answered online, one answered on
    the phone, and a draft whose links were never given out."""
    Department = apps.get_model("accounts", "Department")
    Aspect = apps.get_model("satisfaction", "Aspect")
    Tick = apps.get_model("satisfaction", "Tick")
    Recipient = apps.get_model("satisfaction", "Recipient")
    Response = apps.get_model("satisfaction", "Response")
    Campaign = apps.get_model("satisfaction", "Campaign")
    qa = Department.objects.get_or_create(code="QA", defaults={"name_zh": "品质部", "name_en": "Quality"})[0]
    Aspect.objects.create(
        campaign=campaign, key="quality", label_zh="产品质量", label_en="Product quality", responsible_department=qa
    )
    for i, (key, zh, en, points) in enumerate(
        [
            ("very_satisfied", "很满意", "Very satisfied", 100),
            ("fairly_satisfied", "比较满意", "Fairly satisfied", 85),
            ("satisfied", "满意", "Satisfied", 70),
            ("not_very_satisfied", "不太满意", "Not very satisfied", 50),
            ("very_dissatisfied", "很不满意", "Very dissatisfied", 20),
        ]
    ):
        Tick.objects.create(campaign=campaign, key=key, label_zh=zh, label_en=en, points=points, order=i)
    future = timezone.now() + timedelta(days=30)
    open_link = Recipient.objects.create(
        campaign=campaign,
        customer=customers[0],
        channel="email",
        token="open-" + "o" * 40,
        sent_at=WHEN,
        expires_at=future,
    )
    online = Recipient.objects.create(
        campaign=campaign,
        customer=customers[2],
        channel="email",
        token="online-" + "a" * 40,
        sent_at=WHEN,
        expires_at=future,
    )
    Response.objects.create(
        recipient=online,
        source="online",
        submitted_at=WHEN + timedelta(days=2),
        received_on=date(2026, 3, 4),
        signed_name="Ms. Weber",
        total=Decimal("85.0"),
        band="fairly_satisfied",
    )
    phoned = Recipient.objects.create(
        campaign=campaign,
        customer=customers[3],
        channel="phone",
        token="phone-" + "p" * 40,
        sent_at=WHEN,
        expires_at=future,
    )
    Response.objects.create(
        recipient=phoned,
        source="phone",
        entered_by=user,
        respondent="Mr. Chan",
        total=Decimal("70.0"),
        band="satisfied",
    )
    draft = Campaign.objects.create(
        number="MY-2026-002",
        state="draft",
        created_by=user,
        changed_by=user,
        title="draft",
        period="2026",
        greeting_zh="您好",
        greeting_en="Dear customer",
    )
    unsent = Recipient.objects.create(campaign=draft, customer=customers[0], channel="email", token="draft-" + "d" * 40)
    return {
        "open": (open_link.id, open_link.token, open_link.expires_at),
        "online": (online.id, online.token),
        "phoned": (phoned.id, phoned.token),
        "unsent": unsent.id,
    }


def test_the_move_keeps_the_register_and_the_survey_links():
    with old_database() as old_apps:
        with pytest.raises(LookupError):
            old_apps.get_model("customers", "Customer")
        ids = fill_old_database(old_apps)
        migrate(latest())
        the_customer_register_moves_with_its_rows_ids_history_and_foreign_keys(ids)
        survey_links_given_out_before_keep_working(ids)


def the_customer_register_moves_with_its_rows_ids_history_and_foreign_keys(ids):
    from django.contrib.auth.models import Group

    from nhcs.customers.models import Customer, CustomerCertificate, CustomerContact
    from orders.models import Order
    from satisfaction.models import Recipient

    customers = list(Customer.objects.filter(pk__in=ids["customers"]).order_by("pk"))
    assert [c.pk for c in customers] == ids["customers"]
    for customer, data in zip(customers, DEMO_CUSTOMERS):
        expected = {**data, "phone": "0755-1"} if data["code"] == "C001" else data
        assert {name: getattr(customer, name) for name in expected} == expected
        assert customer.is_active
    c1 = customers[0]
    assert [(h.history_type, h.phone, h.history_user_id) for h in c1.history.order_by("history_date")] == [
        ("+", "", ids["user"]),
        ("~", "0755-1", ids["user"]),
    ]
    assert c1.history.earliest().history_change_reason == "Imported from customers.xlsx"
    assert all(c.history.count() == 1 for c in customers[1:])
    contact = CustomerContact.objects.get(pk=ids["contact"])
    assert (contact.customer_id, contact.name, contact.role, contact.email) == (c1.pk, "张经理", "采购", "z@h.example")
    assert contact.history.get().customer_id == c1.pk
    certificate = CustomerCertificate.objects.get(pk=ids["certificate"])
    assert (certificate.customer_id, certificate.number, certificate.expires_on) == (
        c1.pk,
        "E123456",
        date(2027, 6, 30),
    )
    assert certificate.history.get().number == "E123456"
    assert list(c1.contacts.all()) == [contact] and list(c1.certificates.all()) == [certificate]

    order = Order.objects.get(pk=ids["order"])
    assert order.customer == customers[2] and order.lines.get().quantity == Decimal("5000")
    assert order.history.get().customer_id == customers[2].pk
    assert list(customers[2].orders.all()) == [order]
    recipient = Recipient.objects.get(pk=ids["recipient"])
    assert recipient.customer == customers[1] and recipient.sent_at == WHEN

    # The database's foreign keys point at the register's table, under its new name.
    assert foreign_key_target("orders_order", "customer_id") == "customers_customer"
    assert foreign_key_target("satisfaction_recipient", "customer_id") == "customers_customer"
    assert foreign_key_target("customers_customercontact", "customer_id") == "customers_customer"
    assert foreign_key_target("customers_customercertificate", "customer_id") == "customers_customer"
    # A customer in use cannot be deleted: the constraint is there, not only in Django.
    with connection.cursor() as cursor:
        with pytest.raises(IntegrityError) as refused:
            from django.db import transaction

            with transaction.atomic():
                cursor.execute("DELETE FROM customers_customer WHERE id = %s", [customers[2].pk])
                connection.check_constraints(table_names=["orders_order"])
    assert "foreign key" in str(refused.value).lower()  # PostgreSQL and SQLite both say so
    assert Customer.objects.filter(pk=customers[2].pk).exists()

    # The rights given on the register in the admin moved with it.
    group = Group.objects.get(pk=ids["group"])
    assert group.permissions.filter(content_type__app_label="customers", codename="change_customer").exists()


def survey_links_given_out_before_keep_working(ids):
    from nhcs.links.models import CustomerLink
    from satisfaction.models import Recipient, Response

    open_id, open_token, open_expiry = ids["open"]
    link = CustomerLink.objects.get(token=open_token)
    recipient = Recipient.objects.get(pk=open_id)
    assert recipient.link == link and link.target == recipient and link.purpose == "survey"
    assert (link.customer.code, link.language, link.created_by_id) == ("C001", "zh-hans", ids["user"])
    assert (link.created_at, link.expires_at, link.used_at) == (WHEN, open_expiry, None)
    # The customer's old address still answers, and takes the answer.
    page = Client().get(f"/s/{open_token}/")
    assert page.status_code == 200 and "深圳华强" in page.content.decode()
    aspect = recipient.campaign.aspects.get()
    tick = recipient.campaign.ticks.get(key="satisfied")
    answer = Client().post(
        f"/s/{open_token}/", {f"aspect_{aspect.pk}": tick.pk, "signed_name": "张经理"}, REMOTE_ADDR="192.0.2.8"
    )
    assert answer.status_code == 302
    link.refresh_from_db()
    assert link.answered_name == "张经理" and link.answered_ip == "192.0.2.8"
    assert Response.objects.get(recipient=recipient).total == Decimal("70.0")

    online_id, online_token = ids["online"]
    online = CustomerLink.objects.get(token=online_token)
    assert online.used_at == WHEN + timedelta(days=2) and online.answered_name == "Ms. Weber"
    assert Recipient.objects.get(pk=online_id).link == online
    phoned_id, phoned_token = ids["phoned"]
    assert CustomerLink.objects.get(token=phoned_token).used_at is None  # answered on the phone, not the link
    for token in (online_token, phoned_token):
        refused = Client().get(f"/s/{token}/")
        assert refused.status_code == 410 and b'data-kind="used"' in refused.content
    assert Recipient.objects.get(pk=ids["unsent"]).link is None  # never given out: made when sent
    assert not CustomerLink.objects.filter(token__startswith="draft-").exists()
