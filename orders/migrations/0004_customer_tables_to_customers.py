# The customer register moves to the shared app nhcs.customers (label "customers"), rows, ids and
# history kept: its tables are renamed here, the new app takes them over in state (customers 0001), the
# foreign keys of orders and surveys are pointed at it (orders 0005, satisfaction 0004) and the old
# models leave the orders state (orders 0006). Works on PostgreSQL and SQLite (>= 3.26: a rename keeps
# the foreign keys that point at the table).

from django.db import migrations

TABLES = {
    "customer": "customers_customer",
    "historicalcustomer": "customers_historicalcustomer",
    "customercontact": "customers_customercontact",
    "historicalcustomercontact": "customers_historicalcustomercontact",
    "customercertificate": "customers_customercertificate",
    "historicalcustomercertificate": "customers_historicalcustomercertificate",
}


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_price_permission_groups")]

    operations = [migrations.AlterModelTable(name=name, table=table) for name, table in TABLES.items()]
