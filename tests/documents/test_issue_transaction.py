"""Issuing (or revoking) and asking for the PDF are one transaction: when the document request fails,
the order is not issued (or revoked) either, so no issued order is left without a document row."""

import pytest

from missions import services as s
from missions.models import OrderDocument, OrderLog, State
from tests.factories import make_order

pytestmark = pytest.mark.django_db


class Broken(Exception):
    pass


@pytest.fixture
def failing_document_row(monkeypatch):
    def refuse(*args, **kwargs):
        raise Broken("the document row could not be written")

    monkeypatch.setattr(OrderDocument.objects, "create", refuse)


def test_a_failing_document_request_rolls_back_the_issue(cast, failing_document_row):
    order = make_order(cast, state="approved")
    with pytest.raises(Broken):
        s.order_issue(order=order, by=cast.gdaf_clerk.user)
    order.refresh_from_db()
    assert order.state == State.APPROVED and order.number is None and order.issued_at is None
    assert not OrderLog.objects.filter(order=order, action="issue").exists()
    assert not OrderDocument.objects.filter(order=order).exists()


def test_a_failing_document_request_rolls_back_the_revocation(cast, request):
    order = make_order(cast, state="issued")
    number = order.number
    request.getfixturevalue("failing_document_row")
    with pytest.raises(Broken):
        s.order_revoke(order=order, by=cast.gdaf_clerk.user, reason="បេសកកម្មត្រូវបានលុបចោល")
    order.refresh_from_db()
    assert order.state == State.ISSUED and order.number == number and order.reason == ""
    assert not OrderLog.objects.filter(order=order, action="revoke").exists()
    assert OrderDocument.objects.filter(order=order).count() == 1


def test_issuing_writes_the_order_and_its_document_row_together(cast):
    order = s.order_issue(order=make_order(cast, state="approved"), by=cast.gdaf_clerk.user)
    assert order.state == State.ISSUED
    doc = OrderDocument.objects.get(order=order)
    assert (doc.status, doc.reason, doc.version) == ("pending", "issued", 1)
