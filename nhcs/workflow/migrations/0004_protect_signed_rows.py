"""Nothing signed is ever deleted or changed, whatever path a statement takes (PostgreSQL).

The models already refuse (save, delete, querysets, the admin); these triggers make the database refuse
too: a sign-off is never updated (except being placed into its round once) nor deleted; a round with
sign-offs and an amended value are never deleted; an attachment of a signed record is never deleted. A data migration
that must touch these rows disables the trigger for its own statements.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION nhcs_signoff_immutable() RETURNS trigger AS $$
DECLARE probe workflow_signoff;
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'Sign-offs are never deleted.' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  probe := NEW;
  IF OLD.round_id IS NULL THEN
    probe.round_id := NULL;
  END IF;
  IF probe IS DISTINCT FROM OLD THEN
    RAISE EXCEPTION 'Sign-offs are never changed.' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER nhcs_signoff_immutable BEFORE UPDATE OR DELETE ON workflow_signoff
  FOR EACH ROW EXECUTE FUNCTION nhcs_signoff_immutable();

CREATE OR REPLACE FUNCTION nhcs_never_deleted() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% rows are never deleted.', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION nhcs_signed_round_kept() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM workflow_signoff s WHERE s.round_id = OLD.id) THEN
    RAISE EXCEPTION 'Rounds with sign-offs are never deleted.' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN OLD;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER nhcs_round_kept BEFORE DELETE ON workflow_round
  FOR EACH ROW EXECUTE FUNCTION nhcs_signed_round_kept();
CREATE TRIGGER nhcs_valuechange_kept BEFORE UPDATE OR DELETE ON workflow_valuechange
  FOR EACH ROW EXECUTE FUNCTION nhcs_never_deleted();

CREATE OR REPLACE FUNCTION nhcs_signed_attachment_kept() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM workflow_signoff s
             WHERE s.content_type_id = OLD.content_type_id AND s.object_id = OLD.object_id) THEN
    RAISE EXCEPTION 'Attachments of a signed record are never deleted.'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN OLD;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER nhcs_signed_attachment_kept BEFORE DELETE ON workflow_attachment
  FOR EACH ROW EXECUTE FUNCTION nhcs_signed_attachment_kept();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS nhcs_signed_attachment_kept ON workflow_attachment;
DROP TRIGGER IF EXISTS nhcs_valuechange_kept ON workflow_valuechange;
DROP TRIGGER IF EXISTS nhcs_round_kept ON workflow_round;
DROP TRIGGER IF EXISTS nhcs_signoff_immutable ON workflow_signoff;
DROP FUNCTION IF EXISTS nhcs_signed_attachment_kept();
DROP FUNCTION IF EXISTS nhcs_signed_round_kept();
DROP FUNCTION IF EXISTS nhcs_never_deleted();
DROP FUNCTION IF EXISTS nhcs_signoff_immutable();
"""


def forward(apps, schema_editor):
    # The test suite replays data migrations without a schema editor; the triggers are in place then.
    if schema_editor is not None and schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor is not None and schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("workflow", "0003_rounds_amendments_calendar_readers")]

    operations = [migrations.RunPython(forward, backward)]
