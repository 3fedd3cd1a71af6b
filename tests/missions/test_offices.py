"""One rule for which office a person works for, checked over every role × order:
a user may act on an order ⇔ it is in that user's queue, and every dashboard card counts the list it opens."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from ministry.offices import issuer_of, issuing_clerks, returns_clerks, returns_office_of
from missions import permissions, selectors
from missions.models import State
from portal.dashboard import dashboard_cards, dashboard_counts
from tests.factories import STATE_PATH, make_official, make_order

PEOPLE = ["official", "colleague", "office_official", "head", "other", "other_head", "leader", "leader2",
          "cabinet_clerk", "gdaf_clerk", "returns_clerk", "gdaf_head", "admin", "tg_leader"]


@pytest.fixture
def world(cast):
    """An order in every state from each issuer, and one the GDAF clerk travels on."""
    orders = []
    start, past = date.today() + timedelta(days=10), date.today() - timedelta(days=12)
    for issuer in (cast.gdaf, cast.cabinet):
        for state in STATE_PATH:
            if "stamps" in STATE_PATH[state]:
                orders.append(make_order(cast, state=state, start=past, issuer=issuer, days=1))
                past -= timedelta(days=3)
            else:
                orders.append(make_order(cast, state=state, start=start, issuer=issuer))
                start += timedelta(days=5)
    for state in ("submitted", "approved"):
        orders.append(make_order(cast, state=state, start=start, travellers=[cast.gdaf_clerk, cast.official]))
        start += timedelta(days=5)
    return orders


def test_clerks_in_offices_work_for_the_issuer_and_returns_office_above_them(cast):
    assert issuer_of(cast.gdaf_clerk) == cast.gdaf and issuer_of(cast.cabinet_clerk) == cast.cabinet
    assert returns_office_of(cast.returns_clerk) == cast.gdaf
    assert issuer_of(cast.official) is None and returns_office_of(cast.cabinet_clerk) is None
    assert set(issuing_clerks(cast.gdaf)) == {cast.gdaf_clerk}
    assert set(issuing_clerks(cast.cabinet)) == {cast.cabinet_clerk}
    assert set(returns_clerks()) == {cast.returns_clerk}


def _moves(order, user):
    return {t.name for t in order.get_available_user_state_transitions(user)}


@pytest.mark.django_db
def test_may_act_if_and_only_if_in_the_queue(cast, world):
    for name in PEOPLE:
        user = getattr(cast, name).user
        visible = set(selectors.orders_for(user).values_list("pk", flat=True))
        fresh = [type(o).objects.get(pk=o.pk) for o in world]
        approve = {o.pk for o in fresh if "approve" in _moves(o, user)}
        issue = {o.pk for o in fresh if "issue" in _moves(o, user)}
        check = {o.pk for o in fresh if "accept" in _moves(o, user)}
        assert set(selectors.approval_queue(user).values_list("pk", flat=True)) == approve, name
        assert set(selectors.issue_queue(user).values_list("pk", flat=True)) == issue, name
        assert set(selectors.returns_queue(user).filter(state=State.RETURNED).values_list("pk", flat=True)) == check, name
        for reader in (selectors.approval_queue, selectors.issue_queue, selectors.returns_queue):
            assert set(reader(user).values_list("pk", flat=True)) <= visible, (name, reader.__name__)
    # The clerks' queues are not empty: the rule finds the office above them.
    assert selectors.issue_queue(cast.gdaf_clerk.user).exists()
    assert selectors.issue_queue(cast.cabinet_clerk.user).exists()
    assert selectors.returns_queue(cast.returns_clerk.user).filter(state=State.RETURNED).exists()


@pytest.mark.django_db
def test_issuing_clerks_see_only_approved_orders_and_after_and_never_their_own(cast, world):
    user = cast.gdaf_clerk.user
    seen = selectors.orders_for(user).exclude(travellers__official=cast.gdaf_clerk)
    assert not seen.filter(state__in=[State.DRAFT, State.SUBMITTED, State.REJECTED]).exists()
    assert not seen.exclude(issuing_unit=cast.gdaf).exists()
    own = [o for o in world if o.travellers.filter(official=cast.gdaf_clerk).exists()]
    for order in own:
        assert not permissions.may_issue(order, user) and not permissions.may_approve(order, user)
    assert not selectors.issue_queue(user).filter(pk__in=[o.pk for o in own]).exists()


@pytest.mark.django_db
def test_every_dashboard_card_counts_the_list_it_opens(cast, world, client):
    for name in PEOPLE:
        official = getattr(cast, name)
        client.force_login(official.user)
        cards = dashboard_counts(official.user)
        assert len(cards) == len(dashboard_cards(official.user))
        for label, count, url in cards:
            page = client.get(url)
            assert page.status_code == 200, (name, url)
            assert page.context["total"] == count, (name, label, url)
    returns = dict((label, n) for label, n, _ in dashboard_counts(cast.returns_clerk.user))
    assert returns["Returns to check"] > 0


def test_a_new_clerk_in_an_office_under_gdaf_finds_the_work(cast):
    order = make_order(cast, state="approved")
    clerk = make_official(cast.gdaf_returns_office, roles=["issuing_clerk"])
    assert list(selectors.issue_queue(clerk.user)) == [order]
    assert reverse("missions:to_issue")
