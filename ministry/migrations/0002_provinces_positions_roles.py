"""The 25 provinces, the positions of Instruction 996 A.1 and the portal's roles always exist."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"
ROLES = ["official", "unit_head", "issuing_clerk", "returns_clerk", "approver", "administrator"]


def load(apps, schema_editor):
    Province = apps.get_model("ministry", "Province")
    Position = apps.get_model("ministry", "Position")
    Group = apps.get_model("auth", "Group")
    with open(DATA / "provinces.csv", encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            Province.objects.update_or_create(
                code=row["code"],
                defaults={"kind": row["kind"], "name_en": row["name_en"], "name_km": row["name_km"], "sort": i},
            )
    with open(DATA / "positions.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            Position.objects.update_or_create(
                code=row["code"],
                defaults={
                    "rank": int(row["rank"]),
                    "in_leadership_group": row["in_leadership_group"] == "1",
                    "heads_unit": row["heads_unit"] == "1",
                    "title_en": row["title_en"],
                    "title_km": row["title_km"],
                },
            )
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("ministry", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
