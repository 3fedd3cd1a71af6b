"""Each mission event writes its notices in the event's own transaction (and rolls back with it)."""

import pytest
from django.db import transaction

from groups.models import Notice, Post
from ministry.audit import trail
from missions import services as s
from tests.factories import make_order


class Boom(Exception):
    pass


@pytest.fixture
def everyone_linked(cast, linked):
    for who in ("official", "colleague", "leader", "returns_clerk", "head"):
        linked(getattr(cast, who))


def _kinds(order):
    return sorted(Notice.objects.filter(order=order).exclude(kind="post.published")
                  .values_list("kind", "recipient__user__username"))


def test_each_event_notifies_the_right_people(cast, groups, everyone_linked, django_capture_on_commit_callbacks):
    order = make_order(cast, "submitted")
    assert _kinds(order) == [("order.submitted", "leader")]
    assert Notice.objects.get(kind="order.submitted").reply_markup["inline_keyboard"]

    order = s.order_approve(order=order, by=cast.user("leader"))
    assert ("order.approved", "official_a") in _kinds(order) and ("order.approved", "colleague_a") in _kinds(order)

    with django_capture_on_commit_callbacks(execute=True):
        order = s.order_issue(order=order, by=cast.user("gdaf_clerk"))
        issued = Notice.objects.filter(order=order, kind="order.issued")
        assert issued.count() == 2
        assert not Post.objects.filter(order=order).exists()  # published once the issue is committed
    post = Post.objects.get(order=order, group=groups.lead, category="mission_order")
    assert post.state == "published" and post.document == order.documents.get()
    assert trail(post).get(action="groups.post.order_published").actor == cast.user("gdaf_clerk")
    assert Notice.objects.filter(post=post, channel=groups.lead_tg).count() == 1


def test_returned_notifies_gdaf_returns_clerks_and_sent_back_the_travellers(cast, groups, everyone_linked):
    order = make_order(cast, "returned")
    assert ("order.returned", "returns_clerk") in _kinds(order)
    order = s.order_send_back(order=order, by=cast.user("returns_clerk"), reason="ខ្វះត្រា")
    sent_back = Notice.objects.filter(order=order, kind="order.sent_back")
    assert sorted(sent_back.values_list("recipient__user__username", flat=True)) == ["colleague_a", "official_a"]
    assert "ខ្វះត្រា" in sent_back.first().text


def test_overdue_notifies_the_travellers_once(cast, groups, everyone_linked, settings):
    from datetime import date, timedelta

    order = make_order(cast, "issued", start=date.today() - timedelta(days=30))
    assert s.orders_mark_overdue() == 1
    assert s.orders_mark_overdue() == 0
    assert Notice.objects.filter(order=order, kind="order.overdue").count() == 2


def test_notices_roll_back_with_the_event(cast, groups, everyone_linked):
    order = make_order(cast, "submitted")
    before = Notice.objects.count()
    with pytest.raises(Boom):
        with transaction.atomic():
            s.order_approve(order=order, by=cast.user("leader"))
            assert Notice.objects.filter(order=order, kind="order.approved").count() == 2
            raise Boom
    order.refresh_from_db()
    assert order.state == "submitted"
    assert Notice.objects.count() == before


def test_sending_is_queued_only_after_commit(cast, groups, everyone_linked, bot,
                                             django_capture_on_commit_callbacks, monkeypatch):
    from groups import tasks

    queued = []
    monkeypatch.setattr(tasks, "enqueue", lambda pk, countdown=None: queued.append(pk) or True)
    order = make_order(cast, "draft")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        s.order_submit(order=order, by=cast.user("official"))
    assert queued == []
    for callback in callbacks:
        callback()
    assert queued == list(Notice.objects.filter(kind="order.submitted").values_list("pk", flat=True))
