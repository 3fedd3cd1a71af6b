"""The scale seeding produces valid data in every state, quickly, and tops up when run again."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from ministry.models import Official, PositionHolding
from missions.models import Leg, LegStamp, MissionOrder, OrderLog, State, Traveller


@pytest.fixture
def seeded(db):
    out = StringIO()
    call_command("seed_scale", officials=300, orders=1500, seed=7, stdout=out)
    return out.getvalue()


def test_seed_scale_fills_every_state_with_travellers_legs_and_log(seeded):
    states = dict(MissionOrder.objects.values_list("state").annotate(n=Count("id")))
    assert set(states) == set(State.values), states
    assert MissionOrder.objects.count() == 1500
    assert not MissionOrder.objects.annotate(t=Count("travellers")).filter(t=0).exists()
    assert not MissionOrder.objects.annotate(n=Count("legs")).filter(n=0).exists()
    # every state change is in the log: one row per transition plus the creation
    accepted = MissionOrder.objects.filter(state=State.ACCEPTED).first()
    assert list(accepted.log.values_list("action", flat=True))[:6] == [
        "created", "submit", "approve", "issue", "file_return", "accept"]
    assert OrderLog.objects.count() > 1500 * 2
    assert "orders: 1500/1500" in seeded


def test_seed_scale_numbers_issued_orders_uniquely_per_issuer_and_year(seeded):
    issued = MissionOrder.objects.filter(issued_at__isnull=False)
    assert not issued.filter(number__isnull=True).exists()
    assert not MissionOrder.objects.filter(issued_at__isnull=True, number__isnull=False).exists()
    dupes = issued.values("issuing_unit", "year", "number").annotate(n=Count("id")).filter(n__gt=1)
    assert not dupes.exists()
    assert set(issued.values_list("issuing_unit__code", flat=True)) == {"CABINET", "GDAF"}


def test_seed_scale_stamps_every_leg_of_filed_returns_and_marks_some_overdue(seeded):
    filed = MissionOrder.objects.filter(state__in=[State.RETURNED, State.SENT_BACK, State.ACCEPTED])
    for order in filed[:50]:
        assert LegStamp.objects.filter(traveller__order=order).count() == order.travellers.count() * order.legs.count()
    overdue = MissionOrder.objects.filter(overdue_since__isnull=False)
    assert overdue.exists()
    assert set(overdue.values_list("state", flat=True)) <= {State.ISSUED, State.SENT_BACK}


def test_seed_scale_spreads_officials_over_units_with_one_current_position(seeded):
    assert Official.objects.count() == 300
    assert PositionHolding.objects.filter(ended_on__isnull=True).count() == 300
    per_unit = Official.objects.values("unit").annotate(n=Count("id"))
    assert per_unit.count() > 100
    # travellers are colleagues of the requester's unit
    t = Traveller.objects.select_related("order", "official").first()
    assert t.official.unit_id == t.order.requesting_unit_id
    assert Leg.objects.filter(to_province__isnull=True).exclude(to_country="").exists()


def test_seed_scale_run_again_tops_up_to_the_requested_counts(seeded):
    out = StringIO()
    call_command("seed_scale", officials=300, orders=1500, seed=7, stdout=out)
    assert "none added" in out.getvalue()
    assert MissionOrder.objects.count() == 1500
    call_command("seed_scale", officials=300, orders=1700, seed=8, stdout=StringIO())
    assert MissionOrder.objects.count() == 1700
    dupes = (MissionOrder.objects.filter(number__isnull=False)
             .values("issuing_unit", "year", "number").annotate(n=Count("id")).filter(n__gt=1))
    assert not dupes.exists()
