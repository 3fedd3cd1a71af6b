"""The reference data that must always exist: the 25 provinces, the positions of Instruction
996 A.1 (and the others), and the portal's role groups.

Takes the model classes as arguments so the data migration (historical models) and
``organisation_load`` (real models) share one loader."""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
ROLES = ["official", "unit_head", "issuing_clerk", "returns_clerk", "approver", "administrator"]


def load_reference_data(Province, Position, Group) -> None:
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
