from django.db import migrations

# Who sees prices (issue #5): sales, planning, department heads and above.
PRICE_GROUPS = [
    "Sales & Marketing 营销部",
    "Planning & Logistics 计划物流部",
    "Department heads",
    "Deputy general managers",
    "General manager",
]


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    ct, _ = ContentType.objects.get_or_create(app_label="orders", model="order")
    perm, _ = Permission.objects.get_or_create(
        content_type=ct, codename="view_prices", defaults={"name": "Can see order prices"}
    )
    for name in PRICE_GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(perm)


def backwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="orders", codename="view_prices").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_orders_and_customer_data"),
        ("accounts", "0002_departments_and_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
