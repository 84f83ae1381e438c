"""Default letterhead and the record sheets of NH-QP14 section 6 (version A); the admin edits them."""

from django.db import migrations

COMPANY = {
    "name_zh": "东莞市宁浩实业有限公司",
    "name_en": "Dongguan Ninghao Industrial Co., Ltd.",
    "address_zh": "广东省东莞市",
    "address_en": "Dongguan, Guangdong, China",
}

# key, Chinese title, English title, document number
FORMS = [
    ("product_demand_plan", "产品需求计划表", "Product demand plan", "NH-QP14-01"),
    ("production_plan_review", "生产计划及评审明细表", "Production plan and review detail sheet", "NH-QP14-02"),
    ("change_notice", "生产订单/计划表更改通知单", "Production order / plan change notice", "NH-QP14-03"),
    ("complaint_record", "顾客投诉记录表", "Customer complaint record", "NH-QP14-04"),
    ("survey_form", "顾客满意度调查表", "Customer satisfaction survey form", "NH-QP14-05"),
    ("survey_statistics", "顾客满意度调查统计表", "Customer satisfaction survey statistics", "NH-QP14-06"),
    ("customer_property_register", "顾客财产登记表", "Customer property register", "NH-QP14-07"),
    ("certified_data_letter", "与认证资料不符书面报告", "Written report on a certified-data discrepancy", "NH-QP14-08"),
]


def seed(apps, schema_editor):
    CompanySettings = apps.get_model("sheets", "CompanySettings")
    FormSetting = apps.get_model("sheets", "FormSetting")
    CompanySettings.objects.get_or_create(pk=1, defaults=COMPANY)
    for order, (key, title_zh, title_en, number) in enumerate(FORMS, start=1):
        FormSetting.objects.get_or_create(
            key=key,
            defaults={
                "title_zh": title_zh,
                "title_en": title_en,
                "document_number": number,
                "version": "A",
                "procedure": "NH-QP14",
                "sort_order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("sheets", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
