from django.db import migrations, models

# Department heads and above see the dashboard and the management review report (issue 17).
GROUPS = ["Department heads", "Deputy general managers", "General manager"]
SHEETS = [
    ("customer_dossier", "顾客档案", "Customer dossier", "NH-QP14-26", 140),
    ("management_review", "管理评审输入报告", "Management review input (customer service)", "NH-QP14-27", 141),
]


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    ct, _ = ContentType.objects.get_or_create(app_label="dashboard", model="dashboard")
    perm, _ = Permission.objects.get_or_create(
        content_type=ct,
        codename="view_dashboard",
        defaults={"name": "Can see the management dashboard and the management review report"},
    )
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(perm)
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


def backwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="dashboard", codename="view_dashboard").delete()
    apps.get_model("sheets", "FormSetting").objects.filter(key__in=[s[0] for s in SHEETS]).delete()


class Migration(migrations.Migration):
    initial = True
    dependencies = [
        ("accounts", "0002_departments_and_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sheets", "0004_export_file"),
    ]
    operations = [
        migrations.CreateModel(
            name="Dashboard",
            fields=[("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))],
            options={
                "verbose_name": "dashboard",
                "managed": False,
                "default_permissions": (),
                "permissions": [
                    ("view_dashboard", "Can see the management dashboard and the management review report")
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
