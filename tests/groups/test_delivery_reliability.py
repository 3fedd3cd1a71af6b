"""Rate limits, dead notices, blocked bots, per-chat order and broken channels (issue: notices that survive)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from groups import delivery, services
from groups.models import Channel, Notice, TelegramAccount
from ministry.models import AuditEntry
from tests.fakes.telegram_server import ManualClock
from tests.groups.conftest import make_notice

CHAT = 777002


def _due_now(*notices):
    Notice.objects.filter(pk__in=[n.pk for n in notices]).update(next_attempt_at=timezone.now())


def test_a_long_429_streak_never_kills_a_notice_and_never_counts_as_an_attempt(bot, db, monkeypatch):
    """Every send answered 429 for longer than MAX_ATTEMPTS tries: the notice waits each time, then goes."""
    notice = make_notice(CHAT)
    streak = delivery.MAX_ATTEMPTS + 10
    bot.fail_rate_limit(CHAT, times=streak, retry_after=3)
    for _ in range(streak):
        outcome = delivery.deliver(notice.pk)
        assert outcome.status == "rate_limited" and outcome.countdown == 3
        notice.refresh_from_db()
        assert notice.state == Notice.State.PENDING and notice.attempts == 0
        bot.clock.advance(3)  # the flood wait passes for the limiter and the fake server alike
        _due_now(notice)
    assert delivery.deliver(notice.pk).status == "sent"
    notice.refresh_from_db()
    assert notice.state == Notice.State.SENT and notice.attempts == 1
    assert bot.early_retries == []


def test_429s_for_several_chats_at_once_pause_the_whole_bot(bot, db):
    chats = [CHAT + i for i in range(delivery.GLOBAL_FLOOD_CHATS)]
    notices = [make_notice(chat, key=f"flood-{chat}") for chat in chats]
    for chat in chats:
        bot.fail_rate_limit(chat, retry_after=5)
    for notice in notices:
        assert delivery.deliver(notice.pk).status == "rate_limited"
    # a fourth chat that Telegram never refused waits too: the global bucket is paused
    assert 4 <= delivery.take_token(CHAT + 100) <= 5
    bot.clock.advance(5)
    assert delivery.take_token(CHAT + 100) == 0


def test_one_429_pauses_only_its_chat(bot, db):
    notice = make_notice(CHAT)
    bot.fail_rate_limit(CHAT, retry_after=5)
    assert delivery.deliver(notice.pk).status == "rate_limited"
    assert delivery.take_token(CHAT + 1) == 0  # another chat goes on
    assert 4 <= delivery.take_token(CHAT) <= 5


def test_the_pause_is_shared_through_redis_by_every_worker(bot, db, settings, redis_server, redis_client):
    from groups.ratelimit import TokenBucketLimiter, telegram_buckets

    clock = ManualClock()
    one = TokenBucketLimiter(redis_client, prefix="pause-test", clock=clock)
    other_client = redis_server.client()
    try:
        other = TokenBucketLimiter(other_client, prefix="pause-test", clock=clock)
        buckets = telegram_buckets(CHAT, is_group=False)
        one.pause(buckets[:1], 7)
        assert other.acquire(buckets) == pytest.approx(7, abs=1e-5)
        assert other.acquire(telegram_buckets(CHAT + 1, is_group=False)) == 0  # not the other chats
        one.pause(buckets[:1], 2)  # a shorter pause never shortens a longer one
        clock.advance(6.5)
        assert other.acquire(buckets) == pytest.approx(0.5, abs=1e-5)
        clock.advance(0.5)
        assert other.acquire(buckets) == 0
    finally:
        other_client.close()


def test_a_dead_notice_alerts_the_administrators_once_an_hour(bot, cast):
    cast.admin.email = "admin@mcs.gov.kh"
    cast.admin.save()
    first = make_notice(CHAT, key="bad-1", text="<b>unclosed")
    second = make_notice(CHAT + 1, key="bad-2", text="<i>unclosed")
    assert delivery.deliver(first.pk).status == "dead"  # Telegram refuses the HTML for good
    assert delivery.deliver(second.pk).status == "dead"
    [alert] = Notice.objects.filter(kind="notice.dead")
    assert alert.recipient == cast.admin and alert.transport == "email" and alert.email_to == "admin@mcs.gov.kh"
    assert "A notice could not be delivered" in alert.text
    assert "/admin/groups/notice/?state=dead" in alert.text and alert.text.count("http") == 1
    # an alert that dies in turn is not alerted about
    alert_tg = make_notice(CHAT + 2, key="alert-tg", text="<b>x")
    Notice.objects.filter(pk=alert_tg.pk).update(kind="notice.dead")
    assert delivery.deliver(alert_tg.pk).status == "dead"
    assert Notice.objects.filter(kind="notice.dead").count() == 2


@pytest.fixture
def staff_viewer(db):
    user = User.objects.create_user("viewer", password="pw-viewer-1", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_notice"))
    return user


def test_bulk_retry_is_post_only_administrators_only_and_audited_with_the_actor(bot, cast, client, staff_viewer):
    dead = [make_notice(CHAT + i, key=f"dead-{i}", state="dead", attempts=15, last_error="x") for i in range(3)]
    sent = make_notice(CHAT + 9, key="sent", state="sent")
    url = reverse("admin:groups_notice_retry", args=[dead[0].pk])
    changelist = reverse("admin:groups_notice_changelist")

    client.force_login(staff_viewer)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    response = client.post(changelist, {"action": "retry_selected", "_selected_action": [n.pk for n in dead]})
    assert Notice.objects.filter(state="dead").count() == 3  # refused: no change
    assert response.status_code in (200, 302)
    assert "groups/notice/%d/retry/" % dead[0].pk not in client.get(changelist).content.decode()

    client.force_login(cast.admin.user)
    assert client.get(url).status_code == 405  # a link or a prefetch cannot send anything again
    response = client.post(changelist, {"action": "retry_selected",
                                        "_selected_action": [n.pk for n in dead] + [sent.pk]})
    assert response.status_code == 302
    assert set(Notice.objects.filter(pk__in=[n.pk for n in dead]).values_list("state", "attempts")) == {("pending", 0)}
    assert Notice.objects.get(pk=sent.pk).state == "sent"
    entries = AuditEntry.objects.filter(action="groups.notice.retried")
    assert entries.count() == 3 and {e.actor for e in entries} == {cast.admin.user}
    assert {e.data["state"] for e in entries} == {"dead"}

    page = client.get(changelist + "?state=pending").content.decode()
    assert f'formaction="{url}"' in page and 'formmethod="post"' in page


def test_retry_refuses_a_non_administrator_in_the_service_too(cast):
    from django.core.exceptions import PermissionDenied

    notice = make_notice(CHAT, state="dead")
    with pytest.raises(PermissionDenied):
        services.notice_retry(notice_ids=[notice.pk], by=cast.head.user)
    assert Notice.objects.get(pk=notice.pk).state == "dead"


def test_a_person_who_blocked_the_bot_gets_email_and_is_asked_to_link_again(bot, cast, linked):
    cast.official.email = "sophea@mcs.gov.kh"
    cast.official.save()
    chat = linked(cast.official)
    bot.block_chat(chat)
    from groups.outbox import to_official

    first = to_official(cast.official, key="n1", kind="post.rejected",
                        context={"post": type("P", (), {"title": "Budget", "reason": "late"})()})
    second = to_official(cast.official, key="n2", kind="post.rejected",
                         context={"post": type("P", (), {"title": "Plan", "reason": "short"})()})
    assert delivery.deliver(first.pk).status == "dead"
    assert delivery.deliver(second.pk).status == "dead"

    account = TelegramAccount.objects.get(official=cast.official)
    assert account.broken_at is not None and "blocked" in account.broken_reason
    mails = Notice.objects.filter(recipient=cast.official, transport="email").order_by("pk")
    kinds = [m.kind for m in mails]
    assert kinds.count("post.rejected") == 2  # each refused notice comes by e-mail instead
    [ask] = [m for m in mails if m.kind == "telegram.unlinked"]  # asked once to link again, with the link
    assert "/groups/telegram/" in ask.text or "telegram" in ask.text
    assert AuditEntry.objects.filter(action="groups.telegram.refused").count() == 1
    # while the link is broken new notices go by e-mail straight away
    third = to_official(cast.official, key="n3", kind="post.rejected",
                        context={"post": type("P", (), {"title": "Trip", "reason": "no"})()})
    assert third.transport == "email"
    assert not Notice.objects.filter(kind="notice.dead").exists()  # reached another way: no alert

    # linking again clears it
    token = services.link_token_create(official=cast.official, by=cast.official.user)
    services.telegram_link(token=token.token, telegram_user_id=chat, chat_id=chat)
    account.refresh_from_db()
    assert account.broken_at is None


def test_a_blocked_bot_and_no_email_alerts_the_administrators(bot, cast, linked):
    cast.admin.email = "admin@mcs.gov.kh"
    cast.admin.save()
    cast.official.email = ""
    cast.official.save()
    chat = linked(cast.official)
    bot.block_chat(chat)
    notice = make_notice(chat, key="lonely", recipient=cast.official)
    assert delivery.deliver(notice.pk).status == "dead"
    assert Notice.objects.filter(kind="notice.dead", recipient=cast.admin).exists()


def test_notices_to_one_chat_arrive_in_the_order_written_through_failures_and_429s(bot, db):
    notices = [make_notice(CHAT, key=f"order-{i}", text=f"#{i}") for i in range(12)]
    bot.fail_server_error(times=2, status=502, chat_id=CHAT)
    bot.fail_rate_limit(CHAT, times=1, retry_after=2)
    # workers pick them in any order (newest first here), and retry whatever is due
    for _ in range(60):
        for notice in reversed(notices):
            delivery.deliver(notice.pk)
        if not Notice.objects.filter(pk__in=[n.pk for n in notices]).exclude(state="sent").exists():
            break
        bot.clock.advance(5)
        _due_now(*notices)
    assert [m.text for m in bot.messages_to(CHAT)] == [f"#{i}" for i in range(12)]
    assert bot.early_retries == []


def test_a_dead_notice_does_not_hold_up_the_chat(bot, db):
    bad = make_notice(CHAT, key="bad", text="<b>unclosed")
    good = make_notice(CHAT, key="good", text="fine")
    assert delivery.deliver(good.pk).status == "deferred"
    assert delivery.deliver(bad.pk).status == "dead"
    good.refresh_from_db()
    assert good.next_attempt_at <= timezone.now()  # woken at once
    assert delivery.deliver(good.pk).status == "sent"


def test_a_repaired_channel_receives_in_order_what_was_published_while_it_was_broken(bot, cast, groups):
    chat = groups.unit_tg.chat_id
    bot.kick_from_chat(chat)
    posts = [make_notice(channel=groups.unit_tg, key=f"post-{i}", text=f"post {i}") for i in range(3)]
    for notice in posts:
        assert delivery.deliver(notice.pk).status in ("paused", "deferred")
    for notice in posts:
        delivery.deliver(notice.pk)
    groups.unit_tg.refresh_from_db()
    assert groups.unit_tg.status == Channel.Status.BROKEN
    assert set(Notice.objects.filter(pk__in=[n.pk for n in posts]).values_list("state", flat=True)) == {"paused"}
    assert bot.messages_to(chat) == []

    bot.restore_chat(chat)
    services.channel_repair(channel=groups.unit_tg, by=cast.admin.user)
    for _ in range(3):
        for notice in posts:
            delivery.deliver(notice.pk)
    assert [m.text for m in bot.messages_to(chat)] == ["post 0", "post 1", "post 2"]
    entry = AuditEntry.objects.filter(action="groups.channel.repaired").latest("pk")
    assert entry.data["released"] == 3 and entry.actor == cast.admin.user


def test_the_sweeper_does_not_send_a_channels_waiting_posts(bot, groups, monkeypatch):
    from groups import tasks

    queued = []
    monkeypatch.setattr(tasks, "enqueue", lambda pk, countdown=None: queued.append(pk) or True)
    make_notice(channel=groups.unit_tg, key="waiting", state="paused",
                next_attempt_at=timezone.now() - timedelta(hours=1))
    assert tasks.sweep_outbox() == 0 and queued == []


def test_the_approval_request_names_travellers_route_and_basis_with_a_link_and_khmer_digits(bot, cast, linked,
                                                                                             settings):
    import re

    from tests.factories import make_order

    settings.SITE_URL = "https://portal.mcs.gov.kh"
    linked(cast.leader)
    order = make_order(cast, "submitted")
    text = Notice.objects.get(kind="order.submitted", recipient=cast.leader).text
    for traveller in order.travellers.all():
        assert traveller.official.name_latin in text
    legs = list(order.legs.all())
    assert legs and all(leg.destination("km") in text for leg in legs) and "→" in text
    assert "Basis" in text and ("Invitation letter" in text or "Approval in principle" in text)
    assert f"https://portal.mcs.gov.kh/missions/{order.pk}/" in text
    khmer_dates, english_dates = [line for line in text.splitlines() if line.startswith("📅")][:2]
    assert not re.search(r"[0-9]", khmer_dates) and re.search("[០-៩]", khmer_dates)  # Khmer digits in Khmer
    assert re.search(r"[0-9]", english_dates) and not re.search("[០-៩]", english_dates)


def test_a_published_post_carries_its_attachment_and_a_link(bot, cast, groups, settings):
    from django.core.files.base import ContentFile

    from groups.models import Post
    from tests.factories import pdf_bytes

    settings.SITE_URL = "https://portal.mcs.gov.kh"
    post = Post.objects.create(group=groups.unit, author=cast.head, category="meeting", title="Meeting",
                               body_km="ប្រជុំ", meeting_date=timezone.localdate(), state="published",
                               attachment_name="agenda.pdf", attachment_type="application/pdf")
    post.attachment.save("agenda.pdf", ContentFile(pdf_bytes()), save=True)
    notice = services.outbox.to_channel(groups.unit_tg, key="post-att", kind="post.published",
                                        text=services.outbox.render_notice("post.published", {"post": post}),
                                        post=post)
    assert delivery.deliver(notice.pk).status == "sent"
    [message] = bot.messages_to(groups.unit_tg.chat_id)
    assert message.method == "sendDocument" and message.document_filename == "agenda.pdf"
    assert "agenda.pdf" in message.text and f"https://portal.mcs.gov.kh/groups/{groups.unit.pk}/" in message.text
