"""Letterhead of the shipment log exported to Excel/PDF (edited in the admin like any sheet).

Not one of the numbered records of NH-QP14 section 6: the log of deliveries per order line gets the next
document number under the procedure until the quality department sets the real one.
"""

from django.db import migrations

KEY = "shipment_log"


def seed(apps, schema_editor):
    FormSetting = apps.get_model("sheets", "FormSetting")
    FormSetting.objects.get_or_create(
        key=KEY,
        defaults={
            "title_zh": "发货记录表",
            "title_en": "Shipment log",
            "document_number": "NH-QP14-09",
            "version": "A",
            "procedure": "NH-QP14",
            "sort_order": 90,
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("sheets", "FormSetting").objects.filter(key=KEY).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0008_shipments"),
        ("sheets", "0002_seed_defaults"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
