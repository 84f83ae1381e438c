# Survey recipients point at the customer register's new home (nhcs.customers), in state and in the
# database (same table, same ids); before the old model leaves the orders state.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("satisfaction", "0003_sort_order_label"),
        ("customers", "0001_initial"),
    ]
    run_before = [("orders", "0006_customer_models_leave_orders")]

    operations = [
        migrations.AlterField(
            model_name="recipient",
            name="customer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="survey_recipients",
                to="customers.customer",
                verbose_name="customer",
            ),
        ),
    ]
