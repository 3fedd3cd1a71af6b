"""The keys of a member of staff's admin lists (``missions.selectors.work_q``) are read in one round trip and
are the keys the four rules they stand for give: the orders one travels on, the leaders one approves for
today, the units of one's subtree, the issuer one works for."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ministry.models import Unit
from ministry.offices import issuer_of, nearest_issuer_key
from ministry.roles import official_of, user_roles
from missions.models import ApprovalDelegation, MissionOrder, Traveller
from missions.permissions import clerk_issuer
from missions.selectors import ISSUER_SEES, _delegating_leaders, _work_keys, mine_q, work_q
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
        assert tuple(sorted(k) for k in keys) == (*_separately(me, leaders, units), [])
    travelled, delegating, subtree, _ = _work_keys(cast.leader, leaders=True, units=True)
    assert travelled and delegating == [cast.leader2.pk] and cast.leader.unit_id in subtree and len(subtree) > 1


def test_the_issuer_is_read_with_the_other_keys(cast):
    """A clerk's issuer (``ministry.offices.issuer_of``: their unit or the nearest above it that issues) is read in
    the same round trip as their other keys, for a clerk in the issuer itself and one in an office under it."""
    for me, expected in [(cast.gdaf_clerk, cast.gdaf), (cast.cabinet_clerk, cast.cabinet), (cast.official, None),
                         (cast.head, None)]:
        assert issuer_of(me) == expected
        with CaptureQueriesContext(connection) as ctx:
            travelled, _, subtree, issuers = _work_keys(me, leaders=False, units=True, issuers=True)
        assert len(ctx.captured_queries) == 1
        assert nearest_issuer_key(me, issuers) == (expected.pk if expected else None)
        assert sorted(subtree) == sorted(Unit.subtree_ids(me.unit.path))
    assert cast.gdaf_clerk.unit_id != cast.gdaf.pk  # an office under the issuer: the nearest above it is found


def test_a_clerks_list_reads_its_keys_and_issuer_in_one_query(cast):
    """The clerk's scope costs one query (their travels and their issuer), and is the same whether or not
    ``clerk_issuer`` has read the issuer earlier in the request."""
    user = cast.gdaf_clerk.user
    orders = [make_order(cast, state, issuer=issuer, start=date.today() + timedelta(days=20 + 10 * i))
              for i, (state, issuer) in enumerate([("approved", cast.gdaf), ("submitted", cast.gdaf),
                                                   ("approved", cast.cabinet), ("issued", cast.gdaf)])]
    user.__dict__.pop("_portal_issuer", None)
    official_of(user), user_roles(user)  # read once per request before the list (the page's navigation)
    with CaptureQueriesContext(connection) as ctx:
        fresh = work_q(user)
    assert len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]
    assert not hasattr(user, "_portal_issuer")
    assert clerk_issuer(user) == cast.gdaf
    with CaptureQueriesContext(connection) as ctx:
        known = work_q(user)
    assert len(ctx.captured_queries) == 1
    listed = set(MissionOrder.objects.filter(fresh).values_list("pk", flat=True))
    assert listed == set(MissionOrder.objects.filter(known).values_list("pk", flat=True))
    issuer_sees = set(MissionOrder.objects.filter(ISSUER_SEES, issuing_unit=cast.gdaf).values_list("pk", flat=True))
    assert issuer_sees <= listed and {orders[0].pk, orders[3].pk} <= listed
    assert orders[1].pk not in listed and orders[2].pk not in listed


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
