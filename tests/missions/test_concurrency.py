"""Issuing on PostgreSQL under load: gap-free distinct numbers; and the clash check."""

import os
import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections

from missions import services as s
from missions.models import IssueCounter, MissionOrder, State
from tests.factories import make_official, order_input

N = 50


def _postgres_only():
    if connection.vendor != "postgresql" and os.environ.get("CI") != "true":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); CI always runs it")


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_issues_get_fifty_distinct_gap_free_numbers(cast):
    _postgres_only()
    # One traveller per order so that the orders do not clash with each other.
    base = date.today() + timedelta(days=10)
    orders = []
    for i in range(N):
        traveller = make_official(cast.unit_a, login=False)
        order = s.order_create(by=cast.official.user, data=order_input(cast, travellers=[traveller], start=base))
        s.order_submit(order=order, by=cast.official.user)
        orders.append(s.order_approve(order=order, by=cast.leader.user))
    clerk = cast.gdaf_clerk.user
    barrier = threading.Barrier(N)
    errors = []

    def issue(pk):
        try:
            order = MissionOrder.objects.get(pk=pk)
            barrier.wait(timeout=30)
            s.order_issue(order=order, by=clerk)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(o.pk,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    numbers = sorted(MissionOrder.objects.filter(pk__in=[o.pk for o in orders]).values_list("number", flat=True))
    assert numbers == list(range(1, N + 1))
    assert MissionOrder.objects.filter(pk__in=[o.pk for o in orders], state=State.ISSUED).count() == N
    assert IssueCounter.objects.get(issuing_unit=cast.gdaf, year=date.today().year).last == N


@pytest.mark.django_db
def test_overlapping_dates_block_submission_with_a_message_naming_the_other_order(cast):
    first = s.order_create(by=cast.official.user, data=order_input(cast))
    s.order_submit(order=first, by=cast.official.user)
    s.order_approve(order=first, by=cast.leader.user)
    first = s.order_issue(order=first, by=cast.gdaf_clerk.user)
    second = s.order_create(by=cast.colleague.user, data=order_input(
        cast, travellers=[cast.colleague], start=first.departure_date + timedelta(days=1)))
    with pytest.raises(s.TransitionRefused) as refused:
        s.order_submit(order=second, by=cast.colleague.user)
    assert first.display_number in refused.value.message
    second.refresh_from_db()
    assert second.state == State.DRAFT
    later = s.order_create(by=cast.colleague.user, data=order_input(
        cast, travellers=[cast.colleague], start=first.return_date + timedelta(days=1)))
    assert s.order_submit(order=later, by=cast.colleague.user).state == State.SUBMITTED


@pytest.mark.django_db
def test_a_cancelled_order_does_not_clash(cast):
    first = s.order_create(by=cast.official.user, data=order_input(cast))
    s.order_cancel(order=first, by=cast.official.user)
    second = s.order_create(by=cast.official.user, data=order_input(cast))
    assert s.order_submit(order=second, by=cast.official.user).state == State.SUBMITTED
