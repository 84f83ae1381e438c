"""Letterhead titles of the two survey lists exported to Excel/PDF (edited in the admin like any sheet).

They are registers that go with the statistics sheet of 4.7.4, so they carry its document number.
"""

from django.db import migrations

LISTS = [
    ("survey_list", "顾客满意度调查一览表", "Customer satisfaction surveys", 65),
    ("survey_improvement_list", "顾客满意度改进项目一览表", "Customer satisfaction improvement items", 66),
]


def seed(apps, schema_editor):
    FormSetting = apps.get_model("sheets", "FormSetting")
    for key, title_zh, title_en, order in LISTS:
        FormSetting.objects.get_or_create(
            key=key,
            defaults={"title_zh": title_zh, "title_en": title_en, "document_number": "NH-QP14-06", "version": "A",
                      "procedure": "NH-QP14", "sort_order": order},
        )


def unseed(apps, schema_editor):
    apps.get_model("sheets", "FormSetting").objects.filter(key__in=[key for key, *_rest in LISTS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("satisfaction", "0001_initial"),
        ("sheets", "0002_seed_defaults"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
