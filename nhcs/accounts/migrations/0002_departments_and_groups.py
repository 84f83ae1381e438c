from django.db import migrations

DEPARTMENTS = [
    ("SALES", "营销部", "Sales & Marketing"),
    ("PLAN", "计划物流部", "Planning & Logistics"),
    ("ENG", "技术工艺部", "Engineering & Process"),
    ("RD", "研发部", "R&D"),
    ("PUR", "采购部", "Purchasing"),
    ("QA", "品质部", "Quality"),
    ("MFG", "制造部", "Manufacturing"),
    ("WH", "仓库", "Warehouse"),
    ("GMO", "总经办", "General Management"),
]
OTHER_GROUPS = ["Department heads", "Deputy general managers", "General manager", "Auditors"]


def forwards(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    Group = apps.get_model("auth", "Group")
    for code, zh, en in DEPARTMENTS:
        group, _ = Group.objects.get_or_create(name=f"{en} {zh}")
        Department.objects.update_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "group": group}
        )
    for name in OTHER_GROUPS:
        Group.objects.get_or_create(name=name)


def backwards(apps, schema_editor):
    apps.get_model("accounts", "Department").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, backwards)]
