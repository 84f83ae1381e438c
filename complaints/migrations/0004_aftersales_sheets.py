"""Letterheads of the after-sales sheets (NH-QP14 4.5), numbered after the complaints' (NH-QP14-19..22):
the advisory notice as a letter (23), the notice record with its acknowledgements (24), the feedback log
(25); the quality department may renumber them in the admin. Idempotent: the test suite replays it."""

from django.db import migrations

SHEETS = [
    ("advisory_letter", "忠告性通知", "Advisory notice", "NH-QP14-23", 45),
    ("advisory_record", "忠告性通知记录", "Advisory notice record", "NH-QP14-24", 46),
    ("feedback_log", "质量信息反馈一览表", "Quality information feedback log", "NH-QP14-25", 47),
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
        ("complaints", "0003_aftersales"),
        ("sheets", "0003_sort_order_label"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
