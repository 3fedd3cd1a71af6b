"""A subtree's month of absences ("who is away") read from an index of the unit's path and the dates
(PostgreSQL: the path's prefix matched in the index; SQLite makes a plain index)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('finance', '0003_absences'),
        ('ministry', '0003_search_indexes'),
        ('missions', '0014_returns_queue_covers_exclusions'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='absence',
            index=models.Index(fields=['unit_path', 'return_date', 'departure_date'], include=('official',), name='absence_subtree_period', opclasses=['varchar_pattern_ops', 'date_ops', 'date_ops']),
        ),
    ]
