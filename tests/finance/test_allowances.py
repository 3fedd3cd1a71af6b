"""Allowances computed from the rate table in force: per traveller, per day and night, travel days,
same-day trips, transport, meals and lodging provided, riel conversion."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from finance.allowances import allowance_for, order_costing, to_riel
from finance.models import DailyRate, RateTable, TransportRate
from ministry.models import Province
from tests.factories import make_order


@pytest.fixture
def table(db):
    """A table of our own (the demo table starts in 2020; this one is later and wins)."""
    t = RateTable.objects.create(name_km="តារាងសាកល្បង", name_en="Test table", effective_from=date(2024, 1, 1),
                                 riel_per_usd=Decimal("4000"), exchange_rate_date=date(2024, 1, 1),
                                 travel_day_percent=50, same_day_percent=40, meals_provided_percent=25)
    DailyRate.objects.create(table=t, destination_class="province", rank_from=1, rank_to=20, per_day=30, per_night=20)
    DailyRate.objects.create(table=t, destination_class="province", rank_from=21, rank_to=99, per_day=20, per_night=10)
    DailyRate.objects.create(table=t, destination_class="abroad_c", rank_from=1, rank_to=99, per_day=100, per_night=80)
    TransportRate.objects.create(table=t, means="ministry_car", amount=Decimal("0"))
    TransportRate.objects.create(table=t, means="bus", amount=Decimal("7"))
    TransportRate.objects.create(table=t, means="bus", province=Province.objects.get(code="KH-17"),
                                 amount=Decimal("12.50"))
    return t


def test_the_table_in_force_is_the_latest_started_one(table):
    assert RateTable.in_force(date(2024, 1, 1)) == table
    assert RateTable.in_force(date(2023, 12, 31)).is_demo  # the shipped demo table, from 2020
    assert RateTable.in_force(date(2019, 12, 31)) is None


def test_daily_allowance_rules(table):
    assert allowance_for(table, Decimal("30"), 1) == Decimal("12.00")  # same day: 40 %
    assert allowance_for(table, Decimal("30"), 2) == Decimal("30.00")  # two travel days at 50 %
    assert allowance_for(table, Decimal("30"), 4) == Decimal("90.00")  # 2 full + 2 × 50 %


def test_estimate_per_traveller_and_total(cast, table):
    # official (rank 30) and colleague (rank 30); 4 days → 3 nights; province class (Siem Reap, Battambang)
    order = make_order(cast, start=date.today() + timedelta(days=30), days=3)
    costing = order_costing(order)
    assert costing.table == table and costing.destination_class == "province"
    assert len(costing.lines) == 2
    line = costing.lines[0]
    assert (line.days, line.nights) == (4, 3)
    assert line.allowance == Decimal("60.00")  # 20 × 2 + 20 × 50 % × 2
    assert line.lodging == Decimal("30.00")
    assert line.transport == Decimal("0.00")  # ministry car
    assert costing.total == Decimal("180.00")
    assert costing.total_riel == 720_000


def test_rank_decides_the_rate(cast, table):
    order = make_order(cast, travellers=[cast.head, cast.official], start=date.today() + timedelta(days=30), days=1)
    lines = {line.official_id: line for line in order_costing(order).lines}
    assert lines[cast.head.pk].per_day == Decimal("30")  # head of department, rank 13
    assert lines[cast.official.pk].per_day == Decimal("20")


def test_transport_by_means_and_province(cast, table):
    order = make_order(cast, start=date.today() + timedelta(days=30), days=2)
    order.legs.update(means="bus")
    costing = order_costing(order)
    # legs: PP→Siem Reap (12.50 exact), Siem Reap→Battambang (7 any province)
    assert costing.lines[0].transport == Decimal("19.50")


def test_a_missing_rate_is_said_not_guessed(cast, table):
    DailyRate.objects.filter(table=table, rank_from=21).delete()
    order = make_order(cast, start=date.today() + timedelta(days=30))
    costing = order_costing(order)
    assert not costing.complete
    assert "rank 30" in costing.lines[0].missing
    assert costing.lines[0].allowance == 0


def test_final_amount_from_stamped_dates_with_meals_and_lodging_provided(cast, table):
    start = date.today() - timedelta(days=20)
    order = make_order(cast, state="accepted", start=start, days=3)
    from missions.models import LegStamp

    # the official came back a day early: stamped 3 days instead of 4
    LegStamp.objects.filter(traveller__official=cast.official, traveller__order=order, leg__seq=2).update(
        arrived_on=start + timedelta(days=2), departed_on=start + timedelta(days=2))
    costing = order_costing(order, stamped=True, meals_days=1, lodging_nights=1)
    lines = {line.official_id: line for line in costing.lines}
    mine = lines[cast.official.pk]
    assert (mine.days, mine.nights) == (3, 2)
    assert mine.allowance == Decimal("40.00")  # 20 + 2 × 10
    assert mine.lodging == Decimal("20.00")
    assert mine.deduction == Decimal("15.00")  # meals 20 × 25 % + one night 10
    assert mine.total == Decimal("45.00")
    assert lines[cast.colleague.pk].days == 4


def test_abroad_destination_class_and_riel_rounding(cast, table):
    from missions.models import Leg

    order = make_order(cast, start=date.today() + timedelta(days=30), legs=1, days=1)
    Leg.objects.filter(order=order).update(to_province=None, to_country="TH", to_city="Bangkok")
    costing = order_costing(order)
    assert costing.destination_class == "abroad_c"
    assert costing.lines[0].allowance == Decimal("100.00")  # 2 days at 50 %
    assert to_riel(Decimal("1.26"), Decimal("4100")) == 5200  # 5166 → 5200
