"""The returns queue's index carries the requester and the return's filer, whom a clerk's queue leaves out: its
count reads the index alone (PostgreSQL; SQLite makes the index without them)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ministry', '0003_search_indexes'),
        ('missions', '0013_order_traveller_names'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='missionorder',
            name='returns_queue',
        ),
        migrations.AddIndex(
            model_name='missionorder',
            index=models.Index(condition=models.Q(('state__in', ['returned', 'sent_back']), models.Q(('overdue_since__isnull', False), ('state', 'issued')), _connector='OR'), fields=['overdue_since', 'return_date', 'id'], include=('requested_by', 'returned_by'), name='returns_queue'),
        ),
    ]
