"""An issued order whose post to the leadership group failed on the issue's commit is posted by the sweeper (A.2):
once, with its issued PDF, the issuing clerk as the actor; never an order issued before the group existed, long
ago, just now (the job may still be running) or revoked since."""

from datetime import date, timedelta

import pytest

from groups import services
from groups.models import Notice, Post
from groups.tasks import sweep_order_posts
from ministry.audit import trail
from missions import services as ms
from tests.factories import make_order


def _issued_without_post(cast, django_capture_on_commit_callbacks, monkeypatch, **kwargs):
    """The issue commits; its job to post the order fails (the database went away in that process)."""
    from groups import tasks

    def fails(**_):
        raise ConnectionError("server closed the connection unexpectedly")

    monkeypatch.setattr(tasks, "post_publish_order", fails)
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(cast, "issued", **kwargs)
    monkeypatch.undo()
    assert not Post.objects.filter(order=order).exists()
    return order


@pytest.mark.django_db
def test_an_order_whose_post_failed_is_posted_once_by_the_sweeper(cast, groups, django_capture_on_commit_callbacks,
                                                                    monkeypatch, caplog):
    order = _issued_without_post(cast, django_capture_on_commit_callbacks, monkeypatch)
    assert "could not publish it to the leadership group" in caplog.text

    assert services.orders_post_missing(now=order.issued_at + timedelta(minutes=1)) == 0  # the job's own time
    assert services.orders_post_missing(now=order.issued_at + timedelta(minutes=6)) == 1
    post = Post.objects.get(order=order)
    issued_pdf = order.documents.get(reason="issued", language="km")
    assert (post.group, post.category, post.state, post.document) == (groups.lead, "mission_order", "published",
                                                                     issued_pdf)
    assert Notice.objects.filter(channel=groups.lead_tg, kind="post.published").count() == 1
    clerk = cast.gdaf_clerk if order.issuing_unit == cast.gdaf else cast.cabinet_clerk
    assert [(e.action, e.actor) for e in trail(post)] == [("groups.post.order_published", clerk.user)]

    assert services.orders_post_missing(now=order.issued_at + timedelta(minutes=12)) == 0  # once
    assert Post.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_the_sweeper_leaves_orders_it_must_not_post(cast, groups, django_capture_on_commit_callbacks, monkeypatch):
    ago = [date.today() - timedelta(days=d) for d in (12, 22, 32)]  # one traveller: missions that do not overlap
    with django_capture_on_commit_callbacks(execute=True):
        posted = make_order(cast, "issued", start=ago[0])  # its job ran on the commit
    assert Post.objects.filter(order=posted).count() == 1
    before_group = _issued_without_post(cast, django_capture_on_commit_callbacks, monkeypatch, start=ago[1])
    revoked = _issued_without_post(cast, django_capture_on_commit_callbacks, monkeypatch, start=ago[2])
    with django_capture_on_commit_callbacks(execute=False):
        ms.order_revoke(order=revoked, by=cast.gdaf_clerk.user if revoked.issuing_unit == cast.gdaf
                        else cast.cabinet_clerk.user, reason="ប្តូរកាលវិភាគ")
    groups.lead.created = before_group.issued_at + timedelta(seconds=1)
    groups.lead.save(update_fields=["created"])
    late = max(posted.issued_at, before_group.issued_at, revoked.issued_at) + timedelta(minutes=6)

    assert services.orders_post_missing(now=late) == 0
    assert services.orders_post_missing(now=late + services.ORDER_POST_WINDOW) == 0  # long ago: not posted late
    assert list(Post.objects.filter(category="mission_order").values_list("order", flat=True)) == [posted.pk]


@pytest.mark.django_db
def test_without_a_leadership_group_the_sweep_does_nothing(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_order(cast, "issued")
    assert sweep_order_posts() == 0
    assert not Post.objects.exists()
