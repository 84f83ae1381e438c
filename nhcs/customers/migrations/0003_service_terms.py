# Service terms of each customer (NH-QP14 4.5); existing customers get the house defaults.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0002_customer_list_sheet'),
    ]

    operations = [
        migrations.AddField(
            model_name='customer',
            name='complaint_reply_days',
            field=models.PositiveSmallIntegerField(default=1, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='first reply to a complaint (working days)'),
        ),
        migrations.AddField(
            model_name='customer',
            name='report_8d_days',
            field=models.PositiveSmallIntegerField(default=10, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(120)], verbose_name='8D report due (working days)'),
        ),
        migrations.AddField(
            model_name='customer',
            name='service_agreement',
            field=models.CharField(blank=True, help_text='Where these terms are agreed, e.g. quality agreement QA-2025-03 of 2025-03-01.', max_length=120, verbose_name='contract or written agreement'),
        ),
        migrations.AddField(
            model_name='customer',
            name='warranty_months',
            field=models.PositiveSmallIntegerField(default=12, validators=[django.core.validators.MaxValueValidator(240)], verbose_name='warranty period (months)'),
        ),
        migrations.AddField(
            model_name='historicalcustomer',
            name='complaint_reply_days',
            field=models.PositiveSmallIntegerField(default=1, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='first reply to a complaint (working days)'),
        ),
        migrations.AddField(
            model_name='historicalcustomer',
            name='report_8d_days',
            field=models.PositiveSmallIntegerField(default=10, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(120)], verbose_name='8D report due (working days)'),
        ),
        migrations.AddField(
            model_name='historicalcustomer',
            name='service_agreement',
            field=models.CharField(blank=True, help_text='Where these terms are agreed, e.g. quality agreement QA-2025-03 of 2025-03-01.', max_length=120, verbose_name='contract or written agreement'),
        ),
        migrations.AddField(
            model_name='historicalcustomer',
            name='warranty_months',
            field=models.PositiveSmallIntegerField(default=12, validators=[django.core.validators.MaxValueValidator(240)], verbose_name='warranty period (months)'),
        ),
    ]
