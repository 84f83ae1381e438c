# Customer links (nhcs.links): one model for every token link given to a customer.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('customers', '0003_service_terms'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CustomerLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.CharField(editable=False, max_length=64, unique=True, verbose_name='token')),
                ('purpose', models.CharField(db_index=True, max_length=40, verbose_name='purpose')),
                ('language', models.CharField(choices=[('zh-hans', 'Chinese'), ('en', 'English')], max_length=10, verbose_name='language')),
                ('target_id', models.PositiveBigIntegerField(verbose_name='record')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='given out at')),
                ('expires_at', models.DateTimeField(verbose_name='valid until')),
                ('used_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                ('answered_name', models.CharField(blank=True, max_length=80, verbose_name='name typed by the customer')),
                ('answered_ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='answered from (IP address)')),
                ('answered_user_agent', models.CharField(blank=True, max_length=400, verbose_name='answered with (browser)')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='given out by')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='links', to='customers.customer', verbose_name='customer')),
                ('target_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype', verbose_name='about')),
            ],
            options={
                'verbose_name': 'customer link',
                'verbose_name_plural': 'customer links',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['target_type', 'target_id'], name='link_target')],
            },
        ),
    ]
