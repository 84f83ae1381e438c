"""Letterheads of the complaints area's sheets and the default defect catalogue (both edited in the admin).

顾客投诉记录表 is record 6.4 of NH-QP14 (seeded with the procedure's sheets as NH-QP14-04); the log, the 8D
report, the reply letter and the analysis go with it and carry the next free document numbers of NH-QP14
(12–15) until the quality department sets others. Idempotent: the test suite replays it.
"""

from django.db import migrations

SHEETS = [
    ("complaint_record", "顾客投诉记录表", "Customer complaint record", "NH-QP14-04", 40),
    ("complaint_log", "顾客投诉一览表", "Customer complaint log", "NH-QP14-19", 41),
    ("complaint_8d", "8D报告", "8D report", "NH-QP14-20", 42),
    ("complaint_reply_letter", "顾客投诉回复函", "Reply to a customer complaint", "NH-QP14-21", 43),
    ("complaint_analysis", "顾客投诉统计分析表", "Customer complaint analysis", "NH-QP14-22", 44),
]

DEFECTS = [
    ("D01", "尺寸超差", "Dimension out of tolerance"),
    ("D02", "外观不良（划伤、脏污）", "Cosmetic defect (scratch, dirt)"),
    ("D03", "功能不良", "Functional failure"),
    ("D04", "电镀/表面处理不良", "Plating or surface finish defect"),
    ("D05", "混料/错料", "Mixed or wrong parts"),
    ("D06", "包装破损", "Damaged packaging"),
    ("D07", "标识错误", "Wrong labelling"),
    ("D08", "数量短缺", "Short quantity"),
    ("D09", "交货延迟", "Late delivery"),
    ("D10", "文件资料错误", "Wrong or missing documents"),
    ("D11", "服务不满意", "Unsatisfactory service"),
    ("D99", "其他", "Other"),
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
    DefectType = apps.get_model("complaints", "DefectType")
    for order, (code, name_zh, name_en) in enumerate(DEFECTS, start=1):
        DefectType.objects.get_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en, "sort_order": order * 10}
        )


def unseed(apps, schema_editor):
    # The record sheet belongs to the procedure's sheets (sheets.0002): it stays.
    keys = [key for key, *_rest in SHEETS if key != "complaint_record"]
    apps.get_model("sheets", "FormSetting").objects.filter(key__in=keys).delete()
    # Defects named on complaints stay (they are protected); the unused defaults go.
    DefectType = apps.get_model("complaints", "DefectType")
    used = apps.get_model("complaints", "Complaint").objects.exclude(defect=None).values("defect")
    DefectType.objects.filter(code__in=[code for code, *_rest in DEFECTS]).exclude(pk__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("sheets", "0003_sort_order_label"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
