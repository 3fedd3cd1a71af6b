"""The inbox: every notice to a person lands in the portal, whatever Telegram or e-mail they have."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from groups.models import Notice, Post
from inbox.models import Notification
from missions import services as s
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def _kinds(official):
    return list(Notification.objects.filter(official=official).order_by("id").values_list("kind", flat=True))


def test_each_step_tells_the_people_it_concerns_in_their_inbox(cast):
    order = make_order(cast, state="submitted")
    assert _kinds(cast.leader) == ["order.submitted"]
    s.order_approve(order=order, by=cast.leader.user)
    for person in (cast.official, cast.colleague, cast.gdaf_clerk):
        assert "order.approved" in _kinds(person)
    assert "order.approved" not in _kinds(cast.cabinet_clerk)
    s.order_issue(order=order, by=cast.gdaf_clerk.user)
    assert "order.issued" in _kinds(cast.colleague)
    s.order_revoke(order=order, by=cast.gdaf_clerk.user, reason="កម្មវិធីពន្យារពេល")
    for person in (cast.official, cast.colleague, cast.gdaf_clerk):
        assert "order.revoked" in _kinds(person)
    note = Notification.objects.filter(official=cast.colleague, kind="order.revoked").get()
    assert "revoked" in note.text and "កម្មវិធីពន្យារពេល" in note.text and "<b>" not in note.text
    assert note.url == reverse("missions:detail", args=[order.pk])
    # Nobody without Telegram or e-mail was sent anything else: the inbox is their channel.
    assert not Notice.objects.filter(recipient=cast.colleague).exists()


def test_a_rejected_request_and_a_sent_back_return_reach_the_requester(cast):
    order = make_order(cast, state="submitted")
    s.order_reject(order=order, by=cast.leader.user, reason="ខ្វះលិខិត")
    assert "order.rejected" in _kinds(cast.official)
    returned = make_order(cast, state="returned", start=date.today() - timedelta(days=30))
    assert "order.returned" in _kinds(cast.returns_clerk)
    s.order_send_back(order=returned, by=cast.returns_clerk.user, reason="ខ្វះត្រា")
    assert "order.sent_back" in _kinds(cast.colleague)


def test_revoking_withdraws_the_group_post_and_the_unsent_issued_notices(cast, linked, groups, monkeypatch,
                                                                       django_capture_on_commit_callbacks):
    from groups import tasks

    monkeypatch.setattr(tasks, "enqueue", lambda pk, countdown=None: True)  # the sends stay in the outbox
    linked(cast.colleague)
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(cast, state="issued")
    post = Post.objects.get(order=order)
    waiting = Notice.objects.filter(order=order, kind="order.issued")
    assert waiting.exists() and post.state == Post.State.PUBLISHED
    s.order_revoke(order=order, by=cast.gdaf_clerk.user, reason="លុបចោល")
    post.refresh_from_db()
    assert post.state == Post.State.WITHDRAWN
    assert set(waiting.values_list("state", flat=True)) == {Notice.State.DEAD}
    from groups.services import TransitionRefused, post_forward

    with pytest.raises(TransitionRefused):
        post_forward(post=post, by=cast.leader.user)


def test_a_reassigned_request_tells_both_leaders_and_an_ended_delegation_the_acting_one(cast):
    order = make_order(cast, state="submitted")
    s.order_reassign_approver(order=order, by=cast.admin.user, approver=cast.leader2, reason="បេសកកម្មក្រៅប្រទេស")
    assert _kinds(cast.leader) == ["order.submitted", "order.reassigned"]
    assert _kinds(cast.leader2) == ["order.submitted"]
    d = s.delegation_create(leader=cast.leader, acting=cast.gdaf_head, starts_on=date.today(),
                            ends_on=date.today() + timedelta(days=3), by=cast.leader.user)
    s.delegation_end(delegation=d, by=cast.leader.user)
    assert _kinds(cast.gdaf_head) == ["delegation.ended"]


def test_the_bell_counts_unread_notices_and_opening_one_marks_it_read(cast, client):
    order = make_order(cast, state="submitted")
    client.force_login(cast.leader.user)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-unread="1"' in page
    listing = client.get(reverse("inbox:list"))
    assert listing.status_code == 200 and "New mission request" in listing.content.decode()
    notice = Notification.objects.get(official=cast.leader)
    opened = client.post(reverse("inbox:open", args=[notice.pk]))
    assert opened.status_code == 302 and opened["Location"] == reverse("missions:detail", args=[order.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert 'data-unread' not in client.get(reverse("dashboard")).content.decode()
    # Someone else's notice is not theirs to open; GET changes nothing.
    client.force_login(cast.official.user)
    assert client.post(reverse("inbox:open", args=[notice.pk])).status_code == 404
    assert client.get(reverse("inbox:open", args=[notice.pk])).status_code == 405


def test_mark_all_read(cast, client):
    make_order(cast, state="approved")
    client.force_login(cast.official.user)
    assert Notification.objects.filter(official=cast.official, read_at__isnull=True).count() == 1
    client.post(reverse("inbox:read_all"))
    assert not Notification.objects.filter(official=cast.official, read_at__isnull=True).exists()


def test_overdue_tells_the_travellers_then_the_head_of_unit_and_the_returns_office_gets_a_daily_digest(
        cast, settings):
    from groups.services import returns_digest_send

    settings.RETURN_OVERDUE_DAYS, settings.RETURN_ESCALATE_DAYS = 2, 3
    order = make_order(cast, state="issued", start=date.today() - timedelta(days=20))
    today = order.return_date + timedelta(days=3)
    assert s.orders_mark_overdue(today=today) == 1
    assert "order.overdue" in _kinds(cast.colleague) and "order.overdue_escalated" not in _kinds(cast.head)
    later = today + timedelta(days=3)
    assert s.orders_mark_overdue(today=later) == 1 and s.orders_mark_overdue(today=later) == 0
    assert _kinds(cast.head).count("order.overdue_escalated") == 1
    assert returns_digest_send(today=later) == 1 and returns_digest_send(today=later) == 1
    digest = Notification.objects.filter(official=cast.returns_clerk, kind="returns.digest")
    assert digest.count() == 1 and "Overdue: 1" in digest.get().text
