# The customer models leave the orders state; their tables now belong to nhcs.customers (nothing is
# dropped). Survey recipients are pointed at the new model first (satisfaction 0004 runs before this).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_order_customer_to_customers")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="HistoricalCustomerCertificate"),
                migrations.DeleteModel(name="HistoricalCustomerContact"),
                migrations.DeleteModel(name="HistoricalCustomer"),
                migrations.DeleteModel(name="CustomerCertificate"),
                migrations.DeleteModel(name="CustomerContact"),
                migrations.DeleteModel(name="Customer"),
            ],
        ),
    ]
