"""The keys of a member of staff's admin lists (``missions.selectors.work_q``) are read in one round trip and
are the keys the three rules they stand for give: the orders one travels on, the leaders one approves for
today, the units of one's subtree."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ministry.models import Unit
from missions.models import ApprovalDelegation, MissionOrder, Traveller
from missions.selectors import _delegating_leaders, _work_keys, mine_q, work_q
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def _separately(me, leaders, units):
    travelled = sorted(Traveller.objects.filter(official=me).values_list("order_id", flat=True))
    delegating = sorted(_delegating_leaders(me).values_list("leader", flat=True)) if leaders else []
    subtree = sorted(Unit.subtree_ids(me.unit.path)) if units else []
    return travelled, delegating, subtree


def test_one_round_trip_gives_the_keys_of_the_three_rules(cast):
    today = date.today()
    make_order(cast, "submitted", travellers=[cast.leader, cast.official], approver=cast.leader2)  # the leader travels
    ApprovalDelegation.objects.create(leader=cast.leader2, acting=cast.leader, starts_on=today - timedelta(days=1),
                                      ends_on=today + timedelta(days=1))
    ApprovalDelegation.objects.create(leader=cast.gdaf_head, acting=cast.leader, starts_on=today + timedelta(days=3),
                                      ends_on=today + timedelta(days=9))  # not today: not theirs to approve yet
    for me, leaders, units in [(cast.leader, True, True), (cast.leader, True, False), (cast.leader, False, True),
                               (cast.official, False, False), (cast.head, True, True)]:
        with CaptureQueriesContext(connection) as ctx:
            keys = _work_keys(me, leaders=leaders, units=units)
        assert len(ctx.captured_queries) == 1
        assert tuple(sorted(k) for k in keys) == _separately(me, leaders, units)
    travelled, delegating, subtree = _work_keys(cast.leader, leaders=True, units=True)
    assert travelled and delegating == [cast.leader2.pk] and cast.leader.unit_id in subtree and len(subtree) > 1


def test_a_leaders_list_is_the_orders_the_rules_give(cast):
    """The leader's admin list (work_q) holds their own and their travels (mine_q), what they approve and what
    their subtree asks for, nothing else."""
    mine = make_order(cast, "submitted", travellers=[cast.leader], approver=cast.leader2)
    to_approve = make_order(cast, "submitted", start=date.today() + timedelta(days=40))
    other = make_order(cast, "submitted", approver=cast.gdaf_head, start=date.today() + timedelta(days=80))
    listed = set(MissionOrder.objects.filter(work_q(cast.leader.user)).values_list("pk", flat=True))
    assert {mine.pk, to_approve.pk} <= listed
    assert set(MissionOrder.objects.filter(mine_q(cast.leader)).values_list("pk", flat=True)) <= listed
    assert (other.pk in listed) == other.requesting_unit.path.startswith(cast.leader.unit.path)


STAFF = ["head", "other_head", "leader", "leader2", "gdaf_head", "tg_leader", "cabinet_clerk", "gdaf_clerk",
         "returns_clerk", "admin", "official", "no_login"]


def test_every_staff_members_admin_list_is_within_what_they_may_see(cast):
    """work_q (the admin's lists) is a subset of orders_visible_q (the portal's rule of who sees what), for every
    member of the cast and an order in every state, at both issuers, with a delegation running."""
    from tests.factories import STATE_PATH

    from missions.selectors import orders_visible_q

    today = date.today()
    ApprovalDelegation.objects.create(leader=cast.leader, acting=cast.leader2, starts_on=today - timedelta(days=1),
                                      ends_on=today + timedelta(days=1))
    for i, state in enumerate(STATE_PATH):
        for j, issuer in enumerate((cast.gdaf, cast.cabinet)):
            make_order(cast, state, issuer=issuer, start=today + timedelta(days=20 + 10 * (2 * i + j))
                       if "issue" not in STATE_PATH[state] else today - timedelta(days=60 + 10 * (2 * i + j)))
    assert MissionOrder.objects.count() == 2 * len(STATE_PATH)
    for name in STAFF:
        official = getattr(cast, name)
        user = official.user
        if user is None:
            assert not MissionOrder.objects.filter(work_q(user)).exists()
            continue
        listed = set(MissionOrder.objects.filter(work_q(user)).values_list("pk", flat=True))
        visible = set(MissionOrder.objects.filter(orders_visible_q(user)).values_list("pk", flat=True))
        extra = MissionOrder.objects.filter(pk__in=listed - visible).values_list("state", "issuing_unit__code")
        assert listed <= visible, (name, sorted(extra))
