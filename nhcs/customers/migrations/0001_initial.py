# The customer register, moved from the orders app with its rows, ids and history: the tables were
# renamed by orders 0004 and are only taken over in state here. The content types (and with them the
# permissions given to groups and users, and the admin's log) move along.

import django.db.models.deletion
import nhcs.customers.models
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MODELS = [
    "customer",
    "customercontact",
    "customercertificate",
    "historicalcustomer",
    "historicalcustomercontact",
    "historicalcustomercertificate",
]


def move_content_types(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in MODELS:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=target, model=model).first()
        if new is None:
            old.app_label = target
            old.save(update_fields=["app_label"])
            continue
        # Both exist (migrated back and forth): the target's stays, the grants of the old one carry over.
        for permission in Permission.objects.filter(content_type=old):
            twin = Permission.objects.filter(content_type=new, codename=permission.codename).first()
            if twin is None:
                permission.content_type = new
                permission.save(update_fields=["content_type"])
                continue
            for group in permission.group_set.all():
                group.permissions.add(twin)
            for user in permission.user_set.all():
                user.user_permissions.add(twin)


def forwards(apps, schema_editor):
    move_content_types(apps, "orders", "customers")


def backwards(apps, schema_editor):
    move_content_types(apps, "customers", "orders")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("orders", "0004_customer_tables_to_customers"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Customer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=20, unique=True, validators=[nhcs.customers.models.validate_customer_code], verbose_name='customer code')),
                        ('name_zh', models.CharField(blank=True, max_length=120, verbose_name='name (Chinese)')),
                        ('name_en', models.CharField(blank=True, max_length=120, verbose_name='name (English)')),
                        ('address', models.CharField(blank=True, max_length=255, verbose_name='address')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='e-mail')),
                        ('fax', models.CharField(blank=True, max_length=40, verbose_name='fax')),
                        ('phone', models.CharField(blank=True, max_length=40, verbose_name='phone')),
                        ('contact_name', models.CharField(blank=True, max_length=60, verbose_name='contact person')),
                        ('preferred_channel', models.CharField(choices=[('email', 'E-mail'), ('fax', 'Fax'), ('letter', 'Letter'), ('phone', 'Phone')], default='email', max_length=10, verbose_name='preferred channel')),
                        ('language', models.CharField(choices=[('zh-hans', 'Chinese'), ('en', 'English')], default='zh-hans', max_length=10, verbose_name='language')),
                        ('is_key_account', models.BooleanField(default=False, verbose_name='key account')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                    ],
                    options={
                        'verbose_name': 'customer',
                        'verbose_name_plural': 'customers',
                        'ordering': ['code'],
                    },
                ),
                migrations.CreateModel(
                    name='CustomerCertificate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('certificate', models.CharField(help_text='e.g. UL, CCC, RoHS', max_length=60, verbose_name='certificate')),
                        ('number', models.CharField(blank=True, max_length=60, verbose_name='certificate number')),
                        ('standard', models.CharField(blank=True, max_length=120, verbose_name='standard')),
                        ('scope', models.CharField(blank=True, max_length=255, verbose_name='scope')),
                        ('expires_on', models.DateField(blank=True, null=True, verbose_name='expiry date')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='certificates', to='customers.customer', verbose_name='customer')),
                    ],
                    options={
                        'verbose_name': 'certified data',
                        'verbose_name_plural': 'certified data',
                        'ordering': ['customer', 'certificate'],
                    },
                ),
                migrations.CreateModel(
                    name='CustomerContact',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=60, verbose_name='name')),
                        ('role', models.CharField(blank=True, max_length=60, verbose_name='role')),
                        ('phone', models.CharField(blank=True, max_length=40, verbose_name='phone')),
                        ('fax', models.CharField(blank=True, max_length=40, verbose_name='fax')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='e-mail')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='customers.customer', verbose_name='customer')),
                    ],
                    options={
                        'verbose_name': 'customer contact',
                        'verbose_name_plural': 'customer contacts',
                        'ordering': ['customer', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalCustomer',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('code', models.CharField(db_index=True, max_length=20, validators=[nhcs.customers.models.validate_customer_code], verbose_name='customer code')),
                        ('name_zh', models.CharField(blank=True, max_length=120, verbose_name='name (Chinese)')),
                        ('name_en', models.CharField(blank=True, max_length=120, verbose_name='name (English)')),
                        ('address', models.CharField(blank=True, max_length=255, verbose_name='address')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='e-mail')),
                        ('fax', models.CharField(blank=True, max_length=40, verbose_name='fax')),
                        ('phone', models.CharField(blank=True, max_length=40, verbose_name='phone')),
                        ('contact_name', models.CharField(blank=True, max_length=60, verbose_name='contact person')),
                        ('preferred_channel', models.CharField(choices=[('email', 'E-mail'), ('fax', 'Fax'), ('letter', 'Letter'), ('phone', 'Phone')], default='email', max_length=10, verbose_name='preferred channel')),
                        ('language', models.CharField(choices=[('zh-hans', 'Chinese'), ('en', 'English')], default='zh-hans', max_length=10, verbose_name='language')),
                        ('is_key_account', models.BooleanField(default=False, verbose_name='key account')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical customer',
                        'verbose_name_plural': 'historical customers',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalCustomerCertificate',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('certificate', models.CharField(help_text='e.g. UL, CCC, RoHS', max_length=60, verbose_name='certificate')),
                        ('number', models.CharField(blank=True, max_length=60, verbose_name='certificate number')),
                        ('standard', models.CharField(blank=True, max_length=120, verbose_name='standard')),
                        ('scope', models.CharField(blank=True, max_length=255, verbose_name='scope')),
                        ('expires_on', models.DateField(blank=True, null=True, verbose_name='expiry date')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('customer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='customers.customer', verbose_name='customer')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical certified data',
                        'verbose_name_plural': 'historical certified data',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalCustomerContact',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('name', models.CharField(max_length=60, verbose_name='name')),
                        ('role', models.CharField(blank=True, max_length=60, verbose_name='role')),
                        ('phone', models.CharField(blank=True, max_length=40, verbose_name='phone')),
                        ('fax', models.CharField(blank=True, max_length=40, verbose_name='fax')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='e-mail')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('customer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='customers.customer', verbose_name='customer')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical customer contact',
                        'verbose_name_plural': 'historical customer contacts',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
