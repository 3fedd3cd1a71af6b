"""A DEMO allowance rate table so that the portal can be tried. Its figures are examples, not the rates
of sub-decree No. 216 ANKr.BK or its amendments: the table is marked ``is_demo`` and every amount computed
from it says so. The administrator enters the tables in force (with their dates) in the admin."""

from datetime import date
from decimal import Decimal

from django.db import migrations

RANKS = [(1, 3), (4, 9), (10, 16), (17, 99)]
# per day, per night (USD) for each rank band — EXAMPLES ONLY
DEMO = {
    "phnom_penh": [(40, 45), (30, 35), (25, 25), (16, 18)],
    "province": [(40, 45), (30, 35), (25, 25), (16, 18)],
    "abroad_a": [(300, 370), (200, 250), (150, 200), (120, 150)],
    "abroad_b": [(240, 300), (160, 200), (120, 160), (96, 120)],
    "abroad_c": [(180, 220), (120, 150), (90, 120), (72, 90)],
}
COUNTRIES = {"abroad_a": ["JP", "US", "GB", "FR", "DE", "AU", "CH"], "abroad_b": ["SG", "CN", "KR", "MY"]}
TRANSPORT = [("bus", 15), ("boat", 20), ("private_car", 25), ("train", 10)]


def load(apps, schema_editor):
    RateTable = apps.get_model("finance", "RateTable")
    if RateTable.objects.exists():
        return
    table = RateTable.objects.create(
        name_km="តារាងអត្រាសាកល្បង (មិនមែនជាអត្រាផ្លូវការ)",
        name_en="DEMO rate table (not the official rates)",
        legal_basis="DEMO — example figures only; enter the rates of sub-decree No. 216 ANKr.BK as amended",
        effective_from=date(2020, 1, 1), is_demo=True, riel_per_usd=Decimal("4100"),
        exchange_rate_date=date(2020, 1, 1), travel_day_percent=100, same_day_percent=50,
        meals_provided_percent=60, default_abroad_class="abroad_c")
    for klass, rows in DEMO.items():
        for (rank_from, rank_to), (per_day, per_night) in zip(RANKS, rows):
            table.daily.create(destination_class=klass, rank_from=rank_from, rank_to=rank_to,
                               per_day=Decimal(per_day), per_night=Decimal(per_night))
    for klass, codes in COUNTRIES.items():
        for code in codes:
            table.countries.create(country=code, destination_class=klass)
    for means, amount in TRANSPORT:
        table.transport.create(means=means, province=None, abroad=False, amount=Decimal(amount))


def unload(apps, schema_editor):
    apps.get_model("finance", "RateTable").objects.filter(is_demo=True).delete()


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_allowances_budgets_settlements")]
    operations = [migrations.RunPython(load, unload)]
