"""The order log's typed data; the rows written before it get theirs from their notes."""

import re

from django.db import migrations, models

DOCUMENT_NOTE = re.compile(r"^v(\d+) · (KM|EN)$")  # as services.document_request wrote it
STAMP_NOTE = re.compile(r"^(.+) · (\d+)$")  # as services.stamp_record wrote it
REASSIGNED_NOTE = re.compile(r"^(.*) → (.*?): (.*)$", re.DOTALL)  # as services.order_reassign_approver wrote it
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def fill(apps, schema_editor):
    OrderLog = apps.get_model("missions", "OrderLog")
    OrderDocument = apps.get_model("missions", "OrderDocument")
    actions = ("document_requested", "stamp_recorded", "reassigned", "overdue", "overdue_escalated")
    for entry in OrderLog.objects.filter(action__in=actions, data={}).exclude(note="").iterator():
        data = None
        if entry.action == "document_requested" and (m := DOCUMENT_NOTE.match(entry.note)):
            version, language = int(m[1]), m[2].lower()
            doc = OrderDocument.objects.filter(order_id=entry.order_id, version=version, language=language).first()
            data = {"document": doc.pk if doc else None, "version": version, "language": language,
                    "reason": doc.reason if doc else ""}
        elif entry.action == "stamp_recorded" and (m := STAMP_NOTE.match(entry.note)):
            data = {"traveller": None, "traveller_name": m[1], "leg": int(m[2])}
        elif entry.action == "reassigned" and (m := REASSIGNED_NOTE.match(entry.note)):
            data = {"from": None, "from_name": m[1], "to": None, "to_name": m[2], "reason": m[3]}
        elif entry.action in ("overdue", "overdue_escalated") and DAY.match(entry.note):
            data = {"on": entry.note}
        if data is not None:  # a note written any other way stays the note, shown as written
            OrderLog.objects.filter(pk=entry.pk).update(data=data, note="")


def unfill(apps, schema_editor):
    OrderLog = apps.get_model("missions", "OrderLog")
    for entry in OrderLog.objects.exclude(data={}).iterator():
        d, note = entry.data, entry.note
        if entry.action == "document_requested" and "version" in d:
            note = f"v{d['version']} · {d['language'].upper()}"
        elif entry.action == "stamp_recorded" and "leg" in d:
            note = f"{d['traveller_name']} · {d['leg']}"
        elif entry.action == "reassigned" and "to_name" in d:
            note = f"{d['from_name']} → {d['to_name']}: {d['reason']}"
        elif entry.action in ("overdue", "overdue_escalated") and "on" in d:
            note = d["on"]
        OrderLog.objects.filter(pk=entry.pk).update(note=note)


class Migration(migrations.Migration):

    dependencies = [
        ("missions", "0010_purpose_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderlog",
            name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="details"),
        ),
        migrations.RunPython(fill, unfill),
    ]
