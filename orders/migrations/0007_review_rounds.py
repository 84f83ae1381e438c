"""Review rounds are data: existing orders' sign-offs and tasks go into rounds, and the timestamp that
used to tell which opinions still counted goes."""

from django.db import migrations


def rounds(apps, schema_editor):
    from nhcs.workflow.rounds_migration import assign_rounds

    assign_rounds(apps, "orders", "Order", initial="draft", final_states=("released", "cancelled"))


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0006_customer_models_leave_orders'),
        ('workflow', '0003_rounds_amendments_calendar_readers'),
    ]

    operations = [
        migrations.RunPython(rounds, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='historicalorder',
            name='review_started_at',
        ),
        migrations.RemoveField(
            model_name='order',
            name='review_started_at',
        ),
    ]
