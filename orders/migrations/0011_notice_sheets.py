"""Letterheads of the change and delay notices' sheets (edited in the admin like any sheet).

The change notice itself is record 6.3 of NH-QP14 (生产订单/计划表更改通知单, NH-QP14-03, seeded with the
others). Its log, the delay notice of 4.4 and the delay log are not numbered in section 6: they get the next
document numbers under the procedure until the quality department sets the real ones.
"""

from django.db import migrations

# key, Chinese title, English title, document number, sort order
FORMS = [
    ("change_notice_log", "生产订单/计划表更改通知单登记表", "Change notice log", "NH-QP14-16", 32),
    ("delay_notice", "交期延误通知单", "Delivery delay notice", "NH-QP14-17", 34),
    ("delay_notice_log", "交期延误通知单登记表", "Delivery delay log", "NH-QP14-18", 36),
]


def seed(apps, schema_editor):
    FormSetting = apps.get_model("sheets", "FormSetting")
    for key, title_zh, title_en, number, order in FORMS:
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
    apps.get_model("sheets", "FormSetting").objects.filter(key__in=[f[0] for f in FORMS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0010_change_and_delay_notices"),
        ("sheets", "0002_seed_defaults"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
