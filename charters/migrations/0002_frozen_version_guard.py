"""A database-level guard: an adopted (or superseded) charter version and its content cannot change.

The service layer refuses first, with a message for the user; these PostgreSQL triggers refuse every other route
(admin, shell, a bug). SQLite, the embedded development default, relies on the service layer: its test-database
flush deletes rows one by one, which such triggers would refuse.
"""

from django.db import migrations

FROZEN = "('adopted', 'superseded')"
CONTENT_TABLES = ["charters_priorityplace", "charters_theme", "charters_outcome", "charters_chartermeasure"]

CONTENT_FUNCTION = f"""
CREATE OR REPLACE FUNCTION charters_refuse_frozen_content() RETURNS trigger AS $$
DECLARE
    frozen boolean;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status IN {FROZEN} INTO frozen FROM charters_charterversion WHERE id = OLD.version_id;
        IF frozen THEN
            RAISE EXCEPTION 'An adopted charter version cannot be changed' USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status IN {FROZEN} INTO frozen FROM charters_charterversion WHERE id = NEW.version_id;
        IF frozen THEN
            RAISE EXCEPTION 'An adopted charter version cannot be changed' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END
$$ LANGUAGE plpgsql;
"""

VERSION_FUNCTION = f"""
CREATE OR REPLACE FUNCTION charters_refuse_frozen_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status IN {FROZEN} THEN
            RAISE EXCEPTION 'An adopted charter version cannot be deleted' USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status IN {FROZEN} AND (
        NEW.title IS DISTINCT FROM OLD.title
        OR NEW.vision IS DISTINCT FROM OLD.vision
        OR NEW.local_context IS DISTINCT FROM OLD.local_context
        OR NEW.number IS DISTINCT FROM OLD.number
        OR NEW.charter_id IS DISTINCT FROM OLD.charter_id
        OR NEW.authority_id IS DISTINCT FROM OLD.authority_id
        OR NEW.adopted_at IS DISTINCT FROM OLD.adopted_at
        OR NEW.adoption_reason IS DISTINCT FROM OLD.adoption_reason
        -- the only status change allowed: adopted -> superseded, when a newer version is adopted
        OR NOT (NEW.status = OLD.status OR (OLD.status = 'adopted' AND NEW.status = 'superseded'))
    ) THEN
        RAISE EXCEPTION 'An adopted charter version cannot be changed' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""


def create_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CONTENT_FUNCTION)
    schema_editor.execute(VERSION_FUNCTION)
    for table in CONTENT_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION charters_refuse_frozen_content()"
        )
    schema_editor.execute(
        "CREATE TRIGGER charters_charterversion_frozen BEFORE UPDATE OR DELETE ON charters_charterversion "
        "FOR EACH ROW EXECUTE FUNCTION charters_refuse_frozen_version()"
    )


def drop_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in [*CONTENT_TABLES, "charters_charterversion"]:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS charters_refuse_frozen_content()")
    schema_editor.execute("DROP FUNCTION IF EXISTS charters_refuse_frozen_version()")


class Migration(migrations.Migration):
    dependencies = [("charters", "0001_initial")]

    operations = [migrations.RunPython(create_guards, drop_guards)]
