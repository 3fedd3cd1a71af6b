"""The travellers' names on the order, for searching a name many share (missions/search_names.py keeps them):
filled from the travellers, and on PostgreSQL trigram-indexed with the expressions Django writes for
``contains`` (Khmer) and ``icontains`` (Latin), as ministry 0003 indexes the officials' names."""

from collections import defaultdict

from django.db import migrations, models

INDEXES = [
    ("order_traveller_names_km_trgm", "USING gin (traveller_names_km gin_trgm_ops)"),
    ("order_traveller_names_latin_trgm", "USING gin (UPPER(traveller_names_latin::text) gin_trgm_ops)"),
]
SEPARATOR = "\n"  # missions.search_names.SEPARATOR


def fill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE missions_missionorder o SET traveller_names_km = s.km, traveller_names_latin = s.latin FROM ("
            " SELECT t.order_id, string_agg(f.name_km, %s ORDER BY t.sort, t.id) AS km,"
            " string_agg(f.name_latin, %s ORDER BY t.sort, t.id) AS latin"
            " FROM missions_traveller t JOIN ministry_official f ON f.id = t.official_id GROUP BY t.order_id) s"
            " WHERE s.order_id = o.id", [SEPARATOR, SEPARATOR])
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, definition in INDEXES:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON missions_missionorder {definition}")
        # The indexed expressions' statistics, without which a common name is taken for a rare one (0012).
        schema_editor.execute("ANALYZE missions_missionorder")
        return
    Traveller, MissionOrder = apps.get_model("missions", "Traveller"), apps.get_model("missions", "MissionOrder")
    names = defaultdict(lambda: ([], []))
    for order_id, km, latin in (Traveller.objects.order_by("order_id", "sort", "id")
                                .values_list("order_id", "official__name_km", "official__name_latin")):
        names[order_id][0].append(km)
        names[order_id][1].append(latin)
    for order_id, (km, latin) in names.items():
        MissionOrder.objects.filter(pk=order_id).update(traveller_names_km=SEPARATOR.join(km),
                                                        traveller_names_latin=SEPARATOR.join(latin))


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _definition in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("missions", "0012_orderlog_note_search_index")]
    operations = [
        migrations.AddField(
            model_name="missionorder", name="traveller_names_km",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="travellers' Khmer names"),
        ),
        migrations.AddField(
            model_name="missionorder", name="traveller_names_latin",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="travellers' Latin names"),
        ),
        migrations.RunPython(fill, drop_indexes),
    ]
