"""Letterheads of the corrective action's record sheet and log (edited in the admin like any sheet).

NH-QP14 §5 names the Corrective and Preventive Action procedure; its record and log carry the next
document numbers of NH-QP14 until the quality department sets those of that procedure.
"""

from django.db import migrations

SHEETS = [
    ("capa_record", "纠正预防措施记录表", "Corrective and preventive action record", "NH-QP14-10", 100),
    ("capa_log", "纠正预防措施一览表", "Corrective and preventive action log", "NH-QP14-11", 105),
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
    apps.get_model("sheets", "FormSetting").objects.filter(key__in=[key for key, *_rest in SHEETS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("capa", "0001_initial"),
        ("sheets", "0003_sort_order_label"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
