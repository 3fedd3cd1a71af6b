"""Posts: A.4 moderation (category required, pending until approved), and the A.3 cascade."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from groups import services
from groups.models import Notice, Post


def _post(cast, groups, who="leader", **kw):
    data = dict(group=groups.lead, category="meeting", title="ប្រជុំប្រចាំខែ", body_km="សូមអញ្ជើញចូលរួមប្រជុំ",
                meeting_date=date(2026, 12, 3), meeting_time=time(8, 30), meeting_place="សាលប្រជុំ ក្រសួង")
    data.update(kw)
    return services.post_create(by=cast.user(who), **data)


def test_a_post_without_category_is_refused_and_nothing_is_written(cast, groups):
    with pytest.raises(ValidationError) as exc:
        _post(cast, groups, category="")
    assert "category" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _post(cast, groups, category="mission_order")
    with pytest.raises(ValidationError) as exc:
        _post(cast, groups, meeting_place="")
    assert "meeting_date" in exc.value.message_dict
    assert Post.objects.count() == 0


def test_a_post_stays_pending_until_a_cabinet_moderator_approves_it(cast, groups):
    post = _post(cast, groups)
    assert post.state == "pending" and Notice.objects.filter(post=post).count() == 0

    with pytest.raises(services.TransitionRefused):
        services.post_approve(post=post, by=cast.user("leader"))  # a member, not a moderator
    post.refresh_from_db()
    assert post.state == "pending"

    services.post_approve(post=post, by=cast.chief_of_cabinet.user)
    post.refresh_from_db()
    assert post.state == "published" and post.moderated_by == cast.chief_of_cabinet
    kinds = set(Notice.objects.filter(post=post).values_list("transport", flat=True))
    assert kinds == {"telegram", "feed"}


def test_a_rejected_post_keeps_its_reason_and_is_not_published(cast, groups):
    post = _post(cast, groups)
    with pytest.raises(ValidationError):
        services.post_reject(post=post, by=cast.chief_of_cabinet.user, reason=" ")
    services.post_reject(post=post, by=cast.chief_of_cabinet.user, reason="ក្រៅតួនាទីក្រសួង")
    post.refresh_from_db()
    assert post.state == "rejected" and post.reason == "ក្រៅតួនាទីក្រសួង"
    assert not Notice.objects.filter(post=post, kind="post.published").exists()
    with pytest.raises(services.TransitionRefused):
        services.post_approve(post=post, by=cast.chief_of_cabinet.user)


def test_a_non_member_cannot_post(cast, groups):
    with pytest.raises(services.TransitionRefused):
        _post(cast, groups, who="official")


def test_a_head_forwards_a_published_leadership_post_to_the_unit_group_once(cast, groups):
    post = _post(cast, groups)
    services.post_approve(post=post, by=cast.chief_of_cabinet.user)

    copy = services.post_forward(post=post, by=cast.user("head"))
    assert copy.group == groups.unit and copy.forwarded_from == post and copy.state == "published"
    assert Notice.objects.filter(post=copy, channel=groups.unit_tg).count() == 1
    with pytest.raises(services.TransitionRefused):
        services.post_forward(post=post, by=cast.user("head"))
    with pytest.raises(services.TransitionRefused):
        services.post_forward(post=post, by=cast.user("official"))  # not a head


@pytest.mark.khmer
def test_pages_post_moderate_and_forward(cast, groups, login, client):
    c = login(cast.leader)
    r = c.get("/groups/")
    assert r.status_code == 200 and groups.lead.name_km in r.content.decode()
    r = c.post(f"/groups/{groups.lead.pk}/post/", {"category": "", "title": "t", "body_km": "ក"})
    assert r.status_code == 400 and Post.objects.count() == 0
    r = c.post(f"/groups/{groups.lead.pk}/post/", {"category": "announcement", "title": "សេចក្តីជូនដំណឹង",
                                                   "body_km": "ព័ត៌មាន"})
    assert r.status_code == 302
    post = Post.objects.get()

    client = login(cast.chief_of_cabinet)
    r = client.get("/groups/moderation/")
    assert "សេចក្តីជូនដំណឹង" in r.content.decode()
    client.post(f"/groups/posts/{post.pk}/approve/")
    post.refresh_from_db()
    assert post.state == "published"

    c = login(cast.head)
    r = c.get(f"/groups/{groups.lead.pk}/")
    assert f"/groups/posts/{post.pk}/forward/" in r.content.decode()
    c.post(f"/groups/posts/{post.pk}/forward/")
    assert Post.objects.filter(forwarded_from=post, group=groups.unit).exists()
    r = login(cast.official).get(f"/groups/{groups.unit.pk}/")
    assert r.status_code == 200 and "សេចក្តីជូនដំណឹង" in r.content.decode()
    assert login(cast.other).get(f"/groups/{groups.unit.pk}/").status_code == 403


def _head_of_office_with_a_group(cast):
    """A head of office: heads a unit that has a group, but is not in the leadership group."""
    from tests.factories import make_official

    head = make_official(cast.unit_a_office, "head-of-office", username="head_office_a1")
    office_group = services.group_create(kind="unit", unit=cast.unit_a_office, name_km="ក្រុមការិយាល័យ",
                                         name_en="Office A1")
    return head, office_group


def test_only_a_member_of_the_source_group_may_forward(cast, groups, login):
    post = _post(cast, groups)
    services.post_approve(post=post, by=cast.chief_of_cabinet.user)
    head, office_group = _head_of_office_with_a_group(cast)
    with pytest.raises(services.TransitionRefused):
        services.post_forward(post=post, by=head.user)
    c = login(head)
    assert c.get(f"/groups/{groups.lead.pk}/").status_code == 403
    assert c.post(f"/groups/posts/{post.pk}/forward/").status_code == 404
    assert not Post.objects.filter(forwarded_from=post).exists()
    assert not Notice.objects.filter(channel__group=office_group).exists()


def test_a_post_of_a_revoked_order_is_not_forwarded(cast, groups, django_capture_on_commit_callbacks):
    from tests.factories import make_order

    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(cast, state="issued")
    post = Post.objects.filter(order=order, group=groups.lead).first()
    assert post is not None, "issuing publishes the order in the leadership group"
    from missions import services as ms

    clerk = cast.gdaf_clerk if order.issuing_unit == cast.gdaf else cast.cabinet_clerk
    ms.order_revoke(order=order, by=clerk.user, reason="បេសកកម្មត្រូវបានលុបចោល")
    with pytest.raises(services.TransitionRefused) as exc:
        services.post_forward(post=post, by=cast.user("head"))
    assert "revoked" in exc.value.message
    assert not Post.objects.filter(forwarded_from=post).exists()


def test_the_author_cannot_moderate_their_own_post(cast, groups, login):
    from groups.selectors import moderation_queue

    from tests.factories import make_official

    second = make_official("CABINET", "chief-of-cabinet", username="deputy_cabinet")
    services.group_set_moderators(group=groups.lead, moderators=[cast.chief_of_cabinet, second], by=None)
    post = services.post_create(by=cast.chief_of_cabinet.user, group=groups.lead, category="announcement",
                                title="សេចក្តីជូនដំណឹង", body_km="ព័ត៌មាន")
    assert post not in moderation_queue(cast.chief_of_cabinet)
    with pytest.raises(services.TransitionRefused) as exc:
        services.post_approve(post=post, by=cast.chief_of_cabinet.user)
    assert "other than its author" in exc.value.message
    with pytest.raises(services.TransitionRefused):
        services.post_reject(post=post, by=cast.chief_of_cabinet.user, reason="x")
    c = login(cast.chief_of_cabinet)
    c.post(f"/groups/posts/{post.pk}/approve/")
    post.refresh_from_db()
    assert post.state == "pending"
    assert post in moderation_queue(second)
    services.post_approve(post=post, by=second.user)
    post.refresh_from_db()
    assert post.state == "published" and post.moderated_by == second


def test_a_rejected_post_is_changed_and_sent_again_by_its_author_only(cast, groups, client):
    from django.urls import reverse

    post = _post(cast, groups)
    services.post_reject(post=post, by=cast.chief_of_cabinet.user, reason="ខ្វះរបៀបវារៈ")
    url = reverse("groups:post_edit", args=[post.pk])
    client.force_login(cast.user("leader"))
    page = client.get(reverse("groups:group", args=[groups.lead.pk])).content.decode()
    assert f'href="{url}"' in page
    form = client.get(url).content.decode()
    assert "ខ្វះរបៀបវារៈ" in form and "ប្រជុំប្រចាំខែ" in form
    response = client.post(url, {"category": "meeting", "title": "ប្រជុំប្រចាំខែ (កែ)", "body_km": "សូមអញ្ជើញ",
                                 "meeting_date": "2026-12-03", "meeting_time": "08:30", "meeting_place": "សាល",
                                 "agenda": "១. របាយការណ៍"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.state == "pending" and post.title == "ប្រជុំប្រចាំខែ (កែ)" and post.reason == ""
    assert post.agenda == "១. របាយការណ៍"
    # pending again: not changeable, and never by someone else
    assert client.get(url).status_code == 302
    services.post_reject(post=post, by=cast.chief_of_cabinet.user, reason="នៅតែខ្វះ")
    client.force_login(cast.chief_of_cabinet.user)
    assert client.get(url).status_code == 404
    with pytest.raises(services.TransitionRefused):
        services.post_resubmit(post=post, by=cast.chief_of_cabinet.user, category="meeting", title="x", body_km="y",
                               meeting_date=date(2026, 12, 3), meeting_time=time(8, 30), meeting_place="z")


def test_the_leadership_post_is_published_on_commit_and_not_for_an_order_revoked_before(
        cast, groups, django_capture_on_commit_callbacks):
    from missions import services as ms
    from tests.factories import make_order

    with django_capture_on_commit_callbacks(execute=False) as pending:
        order = make_order(cast, state="issued")
    assert not Post.objects.filter(order=order).exists()
    ms.order_revoke(order=order, by=cast.gdaf_clerk.user, reason="លុបចោល")
    for callback in pending:
        callback()
    assert not Post.objects.filter(order=order).exists()
