"""The movement ledger is append-only: besides the model, its querysets and the admin, on PostgreSQL a
trigger refuses every UPDATE and DELETE of a movement row. TRUNCATE (the test suite's flush) is not a row
operation and passes."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION nhcs_property_movement_kept() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'Movements of customer property are never changed or deleted.'
    USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER nhcs_property_movement_kept BEFORE UPDATE OR DELETE ON customer_property_movement
  FOR EACH ROW EXECUTE FUNCTION nhcs_property_movement_kept();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS nhcs_property_movement_kept ON customer_property_movement;
DROP FUNCTION IF EXISTS nhcs_property_movement_kept();
"""


def forward(apps, schema_editor):
    # The test suite replays data migrations without a schema editor; the trigger is in place then.
    if schema_editor is not None and schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor is not None and schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("customer_property", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
