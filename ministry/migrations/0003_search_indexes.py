"""Indexes for searching officials by part of a name (PostgreSQL only: trigram GIN indexes need the
pg_trgm extension, trusted since PostgreSQL 13, so the database owner may create it).  They match the
expressions Django writes for ``contains``, ``icontains`` and ``iexact``.  SQLite reads its few
thousand rows without them."""

from django.db import migrations

INDEXES = [
    ("official_name_km_trgm", "USING gin (name_km gin_trgm_ops)"),
    ("official_name_latin_trgm", "USING gin (UPPER(name_latin::text) gin_trgm_ops)"),
    ("official_csid_upper", "(UPPER(civil_service_id::text))"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON ministry_official {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("ministry", "0002_provinces_positions_roles")]
    operations = [migrations.RunPython(create, drop)]
