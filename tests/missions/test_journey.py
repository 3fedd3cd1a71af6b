from django.db import connection

import pytest

from missions import services as s
from missions.models import OrderLog, State
from tests.factories import make_order


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["draft", "submitted", "approved", "rejected", "cancelled", "issued", "revoked",
                                   "returned", "sent_back", "accepted"])
def test_every_state_is_reachable_through_the_services(cast, state):
    order = make_order(cast, state=state)
    order.refresh_from_db()
    assert order.state == state
    assert OrderLog.objects.filter(order=order).exists()


@pytest.mark.khmer
@pytest.mark.django_db
def test_issue_numbers_per_issuer_and_year(cast):
    a = make_order(cast, state="issued")
    b = make_order(cast, state="issued", start=a.return_date + __import__("datetime").timedelta(days=2))
    c = make_order(cast, state="issued", issuer=cast.cabinet, travellers=[cast.other])
    assert (a.number, b.number, c.number) == (1, 2, 1)
    assert b.display_number.startswith("លេខ ០០២")
