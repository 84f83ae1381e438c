"""Letterhead title of the customer list exported to Excel/PDF (edited in the admin like any sheet).

The register is not one of the numbered records of NH-QP14 section 6: it gets a document number of its
own under the procedure ("-CL", customer list) until the quality department sets the real one.
"""

from django.db import migrations

KEY = "customer_list"


def seed(apps, schema_editor):
    FormSetting = apps.get_model("sheets", "FormSetting")
    FormSetting.objects.get_or_create(
        key=KEY,
        defaults={
            "title_zh": "客户一览表",
            "title_en": "Customer list",
            "document_number": "NH-QP14-CL",
            "version": "A",
            "procedure": "NH-QP14",
            "sort_order": 5,
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("sheets", "FormSetting").objects.filter(key=KEY).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("sheets", "0002_seed_defaults"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
