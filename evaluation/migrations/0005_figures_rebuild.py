"""The ratings summary rebuilt from the services, ratings and tickets (figures_rebuild): its rows split
by clerk and window, the first ratings and the tickets' counters filled, the figures already published
unchanged. Apart from 0004: PostgreSQL creates 0004's indexes at its end, and refuses to while the
rebuild's writes are pending in the same transaction."""

from django.db import migrations


def rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # the rebuild is PostgreSQL SQL; a SQLite demo database is seeded afresh
    from evaluation.services.figures import figures_rebuild

    with schema_editor.connection.cursor() as cursor:
        figures_rebuild(cursor)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0004_figures_per_clerk_and_window")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
