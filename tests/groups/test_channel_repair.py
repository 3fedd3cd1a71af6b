"""A repaired channel: its moderator chooses, post by post, what it still receives (issue 12, item 5)."""

import pytest
from django.urls import reverse

from groups import delivery, services
from groups.models import Channel, Notice, Post
from ministry.models import AuditEntry


def _publish(cast, groups, title):
    post = Post.objects.create(group=groups.unit, author=cast.official, category="announcement", title=title,
                               body_km=f"អត្ថបទ {title}")
    return services.post_approve(post=post, by=cast.head.user)


def _notice(post):
    return Notice.objects.get(post=post, channel__kind="telegram")


def _deliver_everything(*notices):
    for _ in range(len(notices) + 2):
        for notice in notices:
            delivery.deliver(notice.pk)


@pytest.fixture
def broken(bot, cast, groups):
    """Unit A's Telegram group kicked the bot while four posts were published: the first was being sent, the
    other three came after the channel was marked broken."""
    chat = groups.unit_tg.chat_id
    bot.kick_from_chat(chat)
    first = _publish(cast, groups, "Post one")
    assert delivery.deliver(_notice(first).pk).status == "paused"
    groups.unit_tg.refresh_from_db()
    assert groups.unit_tg.status == Channel.Status.BROKEN
    posts = [first] + [_publish(cast, groups, f"Post {n}") for n in ("two", "three", "four")]
    notices = [_notice(p) for p in posts]
    assert [n.state for n in notices] == ["paused"] * 4  # kept for the repair, none of them tried
    _deliver_everything(*notices)
    assert bot.messages_to(chat) == []
    bot.restore_chat(chat)
    return notices


def test_the_moderator_chooses_and_the_chosen_posts_go_in_their_order(bot, cast, groups, broken, login):
    chat = groups.unit_tg.chat_id
    url = reverse("groups:channel_repair", args=[groups.unit_tg.pk])
    client = login(cast.head)
    assert url in client.get(reverse("groups:group", args=[groups.unit.pk])).content.decode()
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert "ជួសជុលឆានែល" in page and "កុំផ្ញើ" in page
    positions = [page.index(f"Post {n}") for n in ("one", "two", "three", "four")]
    assert positions == sorted(positions)  # in the order they were published
    assert page.count('value="send" checked') == 4  # sending is the default
    assert Channel.objects.get(pk=groups.unit_tg.pk).status == "broken"  # looking changes nothing

    one, two, three, four = broken
    response = client.post(url, {"reviewed": [n.pk for n in broken],
                                 f"choice_{two.pk}": "withhold", f"reason_{two.pk}": "ហួសពេលហើយ",
                                 f"choice_{four.pk}": "withhold", f"choice_{one.pk}": "send"})
    assert response.status_code == 302
    _deliver_everything(*broken)
    texts = [m.text for m in bot.messages_to(chat)]
    assert len(texts) == 2 and "Post one" in texts[0] and "Post three" in texts[1]
    assert not any("Post two" in t or "Post four" in t for t in texts)
    states = {n.pk: n.state for n in Notice.objects.filter(pk__in=[n.pk for n in broken])}
    assert states == {one.pk: "sent", two.pk: "withheld", three.pk: "sent", four.pk: "withheld"}
    assert "ហួសពេលហើយ" in Notice.objects.get(pk=two.pk).last_error

    withheld = AuditEntry.objects.filter(action="groups.notice.withheld").order_by("pk")
    assert [(e.object_id, e.actor, e.data["reason"]) for e in withheld] == [
        (str(two.pk), cast.head.user, "ហួសពេលហើយ"), (str(four.pk), cast.head.user, "")]
    repaired = AuditEntry.objects.get(action="groups.channel.repaired")
    assert repaired.actor == cast.head.user and repaired.data["released"] == 2
    assert repaired.data["withheld"] == [two.pk, four.pk]
    # withheld posts stay withheld: the sweeper and "send again" leave them alone
    assert services.notice_retry(notice_ids=[two.pk], by=cast.user("admin")) == 0
    assert "nothing to repair" in client.get(url).content.decode()


def test_an_administrator_may_repair_and_sends_everything_by_default(bot, cast, groups, broken, client):
    client.force_login(cast.user("admin"))
    url = reverse("groups:channel_repair", args=[groups.unit_tg.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reviewed": [n.pk for n in broken]}).status_code == 302
    _deliver_everything(*broken)
    texts = [m.text for m in bot.messages_to(groups.unit_tg.chat_id)]
    assert [next(n for n in ("one", "two", "three", "four") if f"Post {n}" in t) for t in texts] == \
        ["one", "two", "three", "four"]
    assert not AuditEntry.objects.filter(action="groups.notice.withheld").exists()


def test_a_member_who_is_not_a_moderator_is_refused_and_nothing_changes(bot, cast, groups, broken, login):
    url = reverse("groups:channel_repair", args=[groups.unit_tg.pk])
    client = login(cast.official)  # a member of the unit's group, not its moderator
    assert client.get(url).status_code == 403
    assert client.post(url, {"reviewed": [n.pk for n in broken]}).status_code == 403
    assert login(cast.other).post(url, {"reviewed": [n.pk for n in broken]}).status_code == 403
    with pytest.raises(services.PermissionDenied):
        services.channel_repair(channel=groups.unit_tg, by=cast.official.user)
    assert Channel.objects.get(pk=groups.unit_tg.pk).status == "broken"
    assert set(Notice.objects.filter(pk__in=[n.pk for n in broken]).values_list("state", flat=True)) == {"paused"}
    assert not AuditEntry.objects.filter(action="groups.channel.repaired").exists()
    assert bot.messages_to(groups.unit_tg.chat_id) == []


def test_a_post_published_while_choosing_refuses_the_repair(bot, cast, groups, broken, login):
    url = reverse("groups:channel_repair", args=[groups.unit_tg.pk])
    client = login(cast.head)
    seen = [n.pk for n in broken]
    late = _notice(_publish(cast, groups, "Post five"))
    response = client.post(url, {"reviewed": seen}, follow=True)
    assert "changed while you were choosing" in response.content.decode()
    assert Channel.objects.get(pk=groups.unit_tg.pk).status == "broken"
    assert Notice.objects.get(pk=late.pk).state == "paused"
    assert client.get(url).content.decode().count('name="reviewed"') == 5
    assert client.get(url, {"reviewed": seen + [late.pk]}).status_code == 200  # a GET never repairs
    assert Channel.objects.get(pk=groups.unit_tg.pk).status == "broken"


def test_a_too_long_reason_is_refused_and_changes_nothing(bot, cast, groups, broken, login):
    url = reverse("groups:channel_repair", args=[groups.unit_tg.pk])
    one = broken[0]
    response = login(cast.head).post(url, {"reviewed": [n.pk for n in broken], f"choice_{one.pk}": "withhold",
                                           f"reason_{one.pk}": "x" * 2001})
    assert response.status_code == 400
    assert Channel.objects.get(pk=groups.unit_tg.pk).status == "broken"
    assert Notice.objects.get(pk=one.pk).state == "paused"


def test_nothing_waiting_says_so_and_the_repair_only_marks_it_working(bot, cast, groups, login):
    services.channel_mark_broken(channel=groups.unit_tg, reason="Forbidden: bot was kicked from the group chat")
    url = reverse("groups:channel_repair", args=[groups.unit_tg.pk])
    client = login(cast.head)
    page = client.get(url).content.decode()
    assert "Nothing was published to this channel while it was broken" in page
    assert client.post(url, {}).status_code == 302
    assert Channel.objects.get(pk=groups.unit_tg.pk).status == "ok"
    assert AuditEntry.objects.get(action="groups.channel.repaired").data["released"] == 0
