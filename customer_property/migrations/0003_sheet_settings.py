"""Letterheads of the register's sheets (edited in the admin like any sheet). The register itself,
顾客财产登记表 (NH-QP14-07), was seeded with the others; the item card, the two notices to the customer and
the count sheet take the next free document numbers under the procedure until Quality sets the real ones."""

from django.db import migrations

SHEETS = [
    ("customer_property_card", "顾客财产卡", "Customer property card", "NH-QP14-12", 120),
    ("customer_property_notice", "顾客财产不合格通知单", "Notice of nonconforming customer property", "NH-QP14-13", 121),
    ("customer_property_incident", "顾客财产丢失/损坏通知单", "Notice of lost or damaged customer property", "NH-QP14-14", 122),
    ("customer_property_count", "顾客财产盘点表", "Customer property count", "NH-QP14-15", 123),
]


def seed(apps, schema_editor):
    FormSetting = apps.get_model("sheets", "FormSetting")
    for key, title_zh, title_en, number, order in SHEETS:
        FormSetting.objects.get_or_create(
            key=key,
            defaults={
                "title_zh": title_zh,
                "title_en": title_en,
                "document_number": number,
                "version": "A",
                "procedure": "NH-QP14",
                "sort_order": order,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("sheets", "FormSetting").objects.filter(key__in=[s[0] for s in SHEETS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("customer_property", "0002_movements_kept"),
        ("sheets", "0003_sort_order_label"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
