"""Shipments: what was delivered, per order line. Append-only: besides the model, its querysets and the
admin, on PostgreSQL a trigger refuses every UPDATE and DELETE of a shipment row (a wrong entry is
corrected by a reversing entry). TRUNCATE (the test suite's flush) is not a row operation and passes.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


FORWARD = """
CREATE OR REPLACE FUNCTION nhcs_shipment_kept() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'Shipments are never changed or deleted: record a reversing entry.'
    USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER nhcs_shipment_kept BEFORE UPDATE OR DELETE ON orders_shipment
  FOR EACH ROW EXECUTE FUNCTION nhcs_shipment_kept();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS nhcs_shipment_kept ON orders_shipment;
DROP FUNCTION IF EXISTS nhcs_shipment_kept();
"""


def forward(apps, schema_editor):
    # The test suite replays data migrations without a schema editor; the trigger is in place then.
    if schema_editor is not None and schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor is not None and schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0007_review_rounds'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Shipment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('shipped_on', models.DateField(verbose_name='shipped on')),
                ('quantity', models.DecimalField(decimal_places=3, max_digits=12, verbose_name='quantity')),
                ('delivery_note', models.CharField(max_length=40, verbose_name='delivery note number')),
                ('lot', models.CharField(blank=True, max_length=40, verbose_name='lot / batch number')),
                ('over_delivery', models.BooleanField(default=False, verbose_name='over-delivery accepted by the customer')),
                ('reason', models.CharField(blank=True, help_text='Why an entry is reversed, or why the customer accepted more.', max_length=255, verbose_name='reason')),
                ('remark', models.CharField(blank=True, max_length=255, verbose_name='remark')),
                ('source', models.CharField(choices=[('hand', 'Entered by hand'), ('erp', 'Imported from the ERP')], default='hand', max_length=8, verbose_name='source')),
                ('source_file', models.CharField(blank=True, max_length=200, verbose_name='imported from')),
                ('entered_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='entered at')),
                ('entered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by')),
                ('line', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='shipments', to='orders.orderline', verbose_name='order line')),
                ('reverses', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversals', to='orders.shipment', verbose_name='reverses')),
            ],
            options={
                'verbose_name': 'shipment',
                'verbose_name_plural': 'shipments',
                'ordering': ['-shipped_on', '-entered_at', '-pk'],
                'indexes': [models.Index(fields=['delivery_note'], name='orders_ship_note_idx'), models.Index(fields=['shipped_on'], name='orders_ship_date_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('quantity__gt', 0), ('reverses__isnull', True)), models.Q(('quantity__lt', 0), ('reverses__isnull', False)), _connector='OR'), name='orders_shipment_sign'), models.CheckConstraint(condition=models.Q(('reverses__isnull', True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='orders_shipment_reversal_reason'), models.CheckConstraint(condition=models.Q(('over_delivery', False), models.Q(('reason', ''), _negated=True), _connector='OR'), name='orders_shipment_over_delivery_reason'), models.CheckConstraint(condition=models.Q(('delivery_note', ''), _negated=True), name='orders_shipment_delivery_note'), models.CheckConstraint(condition=models.Q(('source', 'hand'), models.Q(('source_file', ''), _negated=True), _connector='OR'), name='orders_shipment_source_file')],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
