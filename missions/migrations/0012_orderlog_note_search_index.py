"""A trigram index for searching the order log by words of its notes (PostgreSQL only, as 0010 for purposes):
the expression Django writes for ``icontains``.  Without it a search read every row of the log (half a
million at the Ministry's size) to find a reason; SQLite reads its few thousand rows without it."""

from django.db import migrations

NAME = "orderlog_note_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON missions_orderlog USING gin (UPPER(note::text) gin_trgm_ops)")
    # The statistics of the indexed expression: without them PostgreSQL takes a common reason (one row in 50)
    # to be rare, reads all its rows through the index and sorts them (87 ms at 500k rows) instead of walking
    # the newest rows until a page is found (5 ms).
    schema_editor.execute("ANALYZE missions_orderlog")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("missions", "0011_orderlog_data")]
    operations = [migrations.RunPython(create, drop)]
