"""On PostgreSQL, ratings and the rectification ledger refuse UPDATE and DELETE whatever the client,
with the cases' trigger function (cases 0002): an upheld appeal excludes a rating, never removes it."""

from django.db import migrations

TABLES = ["evaluation_rating", "evaluation_ticketstep"]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION cases_refuse_change();"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0002_ticket_state_label"), ("cases", "0002_append_only_triggers")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
