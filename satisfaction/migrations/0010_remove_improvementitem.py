"""Improvement items became corrective actions (0009): their tables go."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("satisfaction", "0009_improvement_items_to_corrective_actions"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="improvementitem", name="improvement_once_per_cause"),
        migrations.DeleteModel(name="HistoricalImprovementItem"),
        migrations.DeleteModel(name="ImprovementItem"),
    ]
