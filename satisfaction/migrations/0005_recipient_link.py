# Survey links move onto the shared customer-link service (nhcs.links), in three steps (each its own
# transaction, as PostgreSQL wants no table change after row updates in one): the recipient gets its link
# (here, and the old token may be empty meanwhile), the sent links are copied (0006), the old columns go
# (0007).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("links", "0001_initial"),
        ("satisfaction", "0004_recipient_customer_to_customers"),
    ]

    operations = [
        migrations.AddField(
            model_name="recipient",
            name="link",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="survey_recipient",
                to="links.customerlink",
                verbose_name="survey link",
            ),
        ),
        migrations.AlterField(
            model_name="recipient",
            name="token",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True, verbose_name="link token"),
        ),
    ]
