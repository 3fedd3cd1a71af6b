"""Indexes for searching orders by words of their purpose (PostgreSQL only, as ministry 0003 for names):
trigram GIN indexes matching the expressions Django writes for ``contains`` (Khmer) and ``icontains``
(English).  With them a search reads the orders whose purpose has the words instead of every order, and the
planner knows how few they are.  SQLite reads its few thousand rows without them."""

from django.db import migrations

INDEXES = [
    ("order_purpose_km_trgm", "USING gin (purpose_km gin_trgm_ops)"),
    ("order_purpose_en_trgm", "USING gin (UPPER(purpose_en::text) gin_trgm_ops)"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON missions_missionorder {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("missions", "0009_order_returned_by"), ("ministry", "0003_search_indexes")]
    operations = [migrations.RunPython(create, drop)]
