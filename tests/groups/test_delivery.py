"""Delivery of outbox notices against the fake Bot API on loopback (no HTTP mocking)."""

import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from groups import delivery
from groups.models import Channel, Notice
from tests.factories import make_order, pdf_bytes
from tests.groups.conftest import make_notice

CHAT = 777001


def _due_now(notice):
    Notice.objects.filter(pk=notice.pk).update(next_attempt_at=timezone.now())


def test_a_notice_is_sent_once_with_html_escaped_and_its_message_id_kept(bot, db):
    from groups.outbox import render_notice

    order_text = render_notice("post.rejected", {"post": type("P", (), {"title": "a < b & c", "reason": "<x>"})()})
    assert "a &lt; b &amp; c" in order_text
    notice = make_notice(CHAT, text=order_text)

    assert delivery.deliver(notice.pk).status == "sent"
    assert delivery.deliver(notice.pk).status == "skipped"  # a sent notice is never sent again

    notice.refresh_from_db()
    [message] = bot.messages_to(CHAT)
    assert notice.state == Notice.State.SENT and notice.attempts == 1
    assert notice.telegram_message_id == message.message_id
    assert message.parse_mode == "HTML" and "a &lt; b &amp; c" in message.text


def test_two_workers_claiming_one_notice_only_one_wins(bot, db):
    notice = make_notice(CHAT)
    first = delivery.claim(notice.pk)
    assert first is not None
    assert delivery.claim(notice.pk) is None
    assert delivery.deliver(notice.pk).status == "skipped"
    assert bot.messages == []


def test_429_waits_retry_after_exactly_then_sends_and_is_not_an_attempt(bot, db):
    notice = make_notice(CHAT)
    bot.fail_rate_limit(CHAT, retry_after=30)

    before = timezone.now()
    outcome = delivery.deliver(notice.pk)
    after = timezone.now()

    notice.refresh_from_db()
    assert outcome.status == "rate_limited" and outcome.countdown == 30
    assert notice.state == Notice.State.PENDING and notice.attempts == 0  # a rate limit is not a failure
    assert before + timedelta(seconds=30) <= notice.next_attempt_at <= after + timedelta(seconds=30)
    assert delivery.deliver(notice.pk).status == "skipped"  # not due yet: no early retry

    assert 29 <= delivery.take_token(CHAT) <= 30  # the chat's bucket is paused for every sender
    later = make_notice(CHAT, key="later")
    outcome = delivery.deliver(later.pk)  # and a later notice to the chat waits for this one (per-chat order)
    later.refresh_from_db()
    assert outcome.status == "deferred" and later.last_error.startswith(delivery.ORDER_WAIT)
    assert later.attempts == 0 and bot.early_retries == [] and len(bot.requests) == 1

    bot.clock.advance(30)  # Telegram's flood wait is over, for the limiter and the fake server alike
    _due_now(notice)
    assert delivery.deliver(notice.pk).status == "sent"
    later.refresh_from_db()
    assert later.next_attempt_at <= timezone.now()  # woken as soon as the earlier one was sent
    assert delivery.deliver(later.pk).status == "sent"
    assert bot.early_retries == []
    assert [m.text for m in bot.messages_to(CHAT)] == [notice.text, later.text]
    notice.refresh_from_db()
    assert notice.attempts == 1


def test_server_errors_back_off_and_retry_until_sent(bot, db):
    notice = make_notice(CHAT)
    bot.fail_server_error(times=2, status=502, chat_id=CHAT)
    bot.drop_connection(times=1, chat_id=CHAT)

    waits = []
    for _ in range(3):
        outcome = delivery.deliver(notice.pk)
        assert outcome.status == "retry"
        waits.append(outcome.countdown)
        notice.refresh_from_db()
        assert notice.state == Notice.State.FAILED and notice.next_attempt_at > timezone.now()
        _due_now(notice)
    assert waits == [2.0, 4.0, 8.0]  # 2^attempts seconds
    assert delivery.deliver(notice.pk).status == "sent"
    notice.refresh_from_db()
    assert notice.attempts == 4 and len(bot.messages_to(CHAT)) == 1


@pytest.mark.parametrize("fault", ["block_chat", "unknown_chat"])
def test_403_or_chat_not_found_breaks_the_channel_tells_admins_and_keeps_its_posts(bot, cast, groups, fault):
    cast.admin.email = "admin@mcs.gov.kh"
    cast.admin.save()
    getattr(bot, fault)(groups.lead_tg.chat_id)
    notice = make_notice(channel=groups.lead_tg)

    outcome = delivery.deliver(notice.pk)

    notice.refresh_from_db()
    groups.lead_tg.refresh_from_db()
    assert outcome.status == "paused" and outcome.countdown is None
    assert notice.state == Notice.State.PAUSED and notice.attempts == 0
    assert groups.lead_tg.status == Channel.Status.BROKEN and groups.lead_tg.broken_reason
    alert = Notice.objects.get(kind="channel.broken", recipient=cast.admin)
    assert alert.transport == "email" and alert.email_to == "admin@mcs.gov.kh"
    _due_now(notice)
    assert delivery.deliver(notice.pk).status == "skipped"
    later = make_notice(channel=groups.lead_tg, key="later")
    assert delivery.deliver(later.pk).status == "paused"  # a broken channel is not tried again
    sends = [r for r in bot.requests if r.method == "sendMessage"]
    assert len(sends) == 1


def test_migrated_group_gets_its_new_chat_id_and_the_notice_is_resent(bot, groups):
    old, new = groups.unit_tg.chat_id, -1009999999999
    bot.migrate_chat(old, new)
    notice = make_notice(channel=groups.unit_tg)

    assert delivery.deliver(notice.pk).status == "sent"

    groups.unit_tg.refresh_from_db()
    assert groups.unit_tg.chat_id == new
    assert len(bot.messages_to(new)) == 1 and bot.messages_to(old) == []


def test_text_over_4096_is_split_and_a_retry_continues_where_it_stopped(bot, db):
    paragraph = "ក្រសួងមុខងារសាធារណៈ <b>សេចក្តីណែនាំ</b> &amp; plan " * 40
    text = "\n".join([paragraph] * 6)
    notice = make_notice(CHAT, text=text)
    bot.fail_server_error(times=1, status=500, chat_id=CHAT)
    bot.fail_server_error(times=1, status=500, chat_id=CHAT)  # queued: applies to the first two requests

    assert delivery.deliver(notice.pk).status == "retry"
    _due_now(notice)
    assert delivery.deliver(notice.pk).status == "retry"
    _due_now(notice)
    # the parts already sent are kept
    assert delivery.deliver(notice.pk).status == "sent"

    parts = delivery.plan(notice, None)
    messages = bot.messages_to(CHAT)
    assert len(parts) >= 3 and len(messages) == len(parts)
    assert all(len(m.text.encode("utf-16-le")) // 2 <= 4096 for m in messages)
    assert [m.text for m in messages] == [p for _, p in parts]


def test_a_part_refused_midway_is_retried_alone_and_no_part_is_sent_twice(bot, db):
    text = "\n".join(["ប" * 3000, "ក" * 3000, "ខ" * 3000])
    notice = make_notice(CHAT, text=text)
    parts = delivery.plan(notice, None)
    assert len(parts) == 3
    bot.per_chat_interval, bot.jitter = 1.0, 0.0  # stricter than the configured 10/s: part 2 gets a 429

    outcome = delivery.deliver(notice.pk)
    notice.refresh_from_db()
    assert outcome.status == "rate_limited" and outcome.countdown == 1
    assert notice.parts_sent == 1 and notice.state == Notice.State.PENDING and notice.attempts == 0
    for _ in range(6):
        if notice.state == Notice.State.SENT:
            break
        time.sleep(max(0.0, (notice.next_attempt_at - timezone.now()).total_seconds()) + 0.05)
        delivery.deliver(notice.pk)
        notice.refresh_from_db()
    assert notice.state == Notice.State.SENT
    assert [m.text for m in bot.messages_to(CHAT)] == [p for _, p in parts]
    assert bot.early_retries == []


def _send_inline(monkeypatch):
    """Queued sends run at once in this thread (the worker's task body), recorded in order."""
    from groups import tasks

    queued = []

    def enqueue(pk, countdown=None):
        queued.append(pk)
        tasks.send_notice(pk)
        return True

    monkeypatch.setattr(tasks, "enqueue", enqueue)
    return queued


def test_issued_order_notice_waits_for_the_pdf_and_the_stored_pdf_releases_it(bot, cast, groups, linked, monkeypatch,
                                                                              django_capture_on_commit_callbacks):
    from missions.rendering import render_document

    from groups import tasks

    chat = linked(cast.official)
    monkeypatch.setattr(tasks, "enqueue", lambda pk, countdown=None: True)  # sent by hand below, in order
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(cast, "issued")
    notice = Notice.objects.get(order=order, recipient=cast.official, document__isnull=False)
    document = order.documents.get()
    assert notice.document == document and document.status == "pending"
    for earlier in Notice.objects.filter(chat_id=chat, pk__lt=notice.pk).order_by("pk"):  # per-chat order
        assert delivery.deliver(earlier.pk).status == "sent"
    bot.clear()

    outcome = delivery.deliver(notice.pk)
    notice.refresh_from_db()
    # Given back, not an attempt, and not due again before the waiting limit: nothing polls for the PDF.
    assert outcome.status == "waiting" and outcome.countdown is None
    assert notice.state == Notice.State.PENDING and notice.attempts == 0
    assert notice.next_attempt_at == notice.created + delivery.DOCUMENT_WAIT_LIMIT
    assert delivery.deliver(notice.pk).status == "skipped"
    assert bot.messages_to(chat) == []
    group_notice = Notice.objects.get(channel=groups.lead_tg, kind="post.published")
    assert group_notice.document == document
    assert delivery.deliver(group_notice.pk).status == "waiting"

    queued = _send_inline(monkeypatch)
    with django_capture_on_commit_callbacks(execute=False) as stored:
        assert render_document(document.pk) == "ready"
    assert queued == []  # nothing leaves before the PDF is committed
    for callback in stored:
        callback()
    assert sorted(queued) == sorted([notice.pk, group_notice.pk])
    notice.refresh_from_db()
    document.refresh_from_db()
    assert notice.state == Notice.State.SENT
    [message] = bot.messages_to(chat)
    assert message.method == "sendDocument" and message.document_mime_type == "application/pdf"
    assert message.document_size == document.size
    assert delivery.deliver(notice.pk).status == "skipped"
    # the leadership group's post of the order carries the same PDF, released by the same event
    assert bot.documents(groups.lead_tg.chat_id)[0].document_size == document.size


def test_a_notice_waiting_for_its_pdf_holds_back_only_later_notices_to_its_own_chat(
        bot, cast, monkeypatch, django_capture_on_commit_callbacks):
    from missions.rendering import _store

    order = make_order(cast, "issued")
    document = order.documents.get()
    waiting = make_notice(CHAT, key="pdf", order=order, document=document)
    same_chat = make_notice(CHAT, key="same chat, later")
    other_chat = make_notice(CHAT + 1, key="other chat, later")

    assert delivery.deliver(waiting.pk).status == "waiting"
    assert delivery.deliver(other_chat.pk).status == "sent"  # another chat: not held back at all
    assert delivery.deliver(same_chat.pk).status == "deferred"  # the per-chat order: after the PDF notice
    same_chat.refresh_from_db()
    assert same_chat.state == Notice.State.PENDING and same_chat.last_error.startswith(delivery.ORDER_WAIT)
    assert bot.messages_to(CHAT) == []

    queued = _send_inline(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        _store(document.pk, pdf_bytes(), 1)
    # The PDF notice goes first, then (woken by it, not by a clock) the later one to the same chat.
    assert queued == [waiting.pk, same_chat.pk]
    sent = bot.messages_to(CHAT)
    assert [m.method for m in sent] == ["sendDocument", "sendMessage"]
    for n in (waiting, same_chat):
        n.refresh_from_db()
        assert n.state == Notice.State.SENT


def test_a_pdf_stored_while_its_notice_was_being_given_back_still_releases_it(bot, cast, monkeypatch):
    """The release finds the notice still claimed; the notice looks once more after giving its claim back."""
    order = make_order(cast, "issued")
    document = order.documents.get()
    notice = make_notice(CHAT, key="pdf", order=order, document=document)
    real_update = delivery._update

    def stored_meanwhile(n, **fields):
        if fields.get("last_error") == delivery.PDF_WAIT:  # stored and released just before the give-back
            document.file.save("order.pdf", ContentFile(pdf_bytes()), save=False)
            document.status = "ready"
            document.save()
            assert delivery.release_waiting(document.pk) == 0  # the notice is still claimed: nothing to release
        real_update(n, **fields)

    monkeypatch.setattr(delivery, "_update", stored_meanwhile)
    outcome = delivery.deliver(notice.pk)
    assert outcome.status == "deferred" and outcome.countdown == 0
    monkeypatch.setattr(delivery, "_update", real_update)
    assert delivery.deliver(notice.pk).status == "sent"
    assert bot.messages_to(CHAT)[0].method == "sendDocument"


def test_a_notice_whose_pdf_never_renders_goes_as_text_after_the_waiting_limit(bot, cast):
    order = make_order(cast, "issued")
    document = order.documents.get()
    notice = make_notice(CHAT, key="pdf", order=order, document=document)
    assert delivery.deliver(notice.pk).status == "waiting"
    Notice.objects.filter(pk=notice.pk).update(created=timezone.now() - delivery.DOCUMENT_WAIT_LIMIT
                                               - timedelta(seconds=1), next_attempt_at=timezone.now())
    assert delivery.deliver(notice.pk).status == "sent"
    assert [m.method for m in bot.messages_to(CHAT)] == ["sendMessage"]


def test_without_a_bot_token_telegram_notices_stay_in_the_outbox_exactly_as_they_would_be_sent(
        settings, cast, groups, linked, django_capture_on_commit_callbacks):
    settings.TELEGRAM_BOT_TOKEN = ""
    linked(cast.leader)
    with django_capture_on_commit_callbacks(execute=True):
        make_order(cast, "submitted")
    notice = Notice.objects.get(kind="order.submitted")
    assert notice.state == Notice.State.HELD
    assert "New mission request" in notice.text and notice.reply_markup["inline_keyboard"]
    assert delivery.deliver(notice.pk).status == "skipped"  # held rows are not claimed


def test_sweeper_requeues_rows_left_behind_and_stale_sends(bot, db, settings, monkeypatch):
    from groups import tasks

    queued = []
    monkeypatch.setattr(tasks, "enqueue", lambda pk, countdown=None: queued.append(pk) or True)
    now = timezone.now()
    fresh = make_notice(CHAT, key="fresh")
    left = make_notice(CHAT, key="left", next_attempt_at=now - timedelta(minutes=5))
    failed_due = make_notice(CHAT, key="failed", state="failed", next_attempt_at=now - timedelta(minutes=5))
    failed_later = make_notice(CHAT, key="later", state="failed", next_attempt_at=now + timedelta(minutes=5))
    stale = make_notice(CHAT + 1, key="stale", state="sending", claimed_at=now - timedelta(minutes=10))
    busy = make_notice(CHAT, key="busy", state="sending", claimed_at=now)
    sent = make_notice(CHAT, key="sent", state="sent", next_attempt_at=now - timedelta(minutes=5))

    assert tasks.sweep_outbox() == 3
    assert sorted(queued) == sorted([left.pk, failed_due.pk, stale.pk])
    assert tasks.sweep_outbox() == 0  # not picked again before the grace has passed
    for n in (fresh, failed_later, busy, sent):
        assert n.pk not in queued

    assert delivery.deliver(stale.pk).status == "sent"  # a vanished worker's claim is taken over
    stale.refresh_from_db()
    assert stale.attempts == 1


def test_workers_sharing_the_redis_bucket_stay_under_the_per_chat_limit(bot, db, settings, redis_server,
                                                                         redis_client, monkeypatch):
    """Each send takes a fresh limiter (as another worker process would): only Redis is shared.

    The limit is asserted over the Redis times of the grants (exact to the microsecond), and the fake Bot API
    judges each send at its grant time: a loaded machine delaying one request does not change the verdict.
    """
    from groups.ratelimit import TokenBucketLimiter

    grants = []
    take = TokenBucketLimiter.try_acquire

    def recording(self, buckets):
        decision = take(self, buckets)
        if decision.granted:
            grants.append(decision.server_time)
        return decision

    monkeypatch.setattr(TokenBucketLimiter, "try_acquire", recording)
    bot.clock = lambda: grants[-1] if grants else 0.0
    settings.REDIS_URL = redis_server.url
    settings.TELEGRAM_RATE_PER_CHAT = 4.0
    bot.per_chat_interval, bot.jitter = 0.25, 1e-5  # Redis TIME is exact to the microsecond
    notices = [make_notice(CHAT, key=f"shared-{i}").pk for i in range(8)]
    pending, outcomes = list(notices), []
    while pending:
        pk = pending.pop(0)
        delivery.reset_limiter()
        outcome = delivery.deliver(pk)
        outcomes.append(outcome.status)
        if outcome.status != "sent":
            time.sleep(outcome.countdown)
            pending.insert(0, pk)
    assert set(outcomes) <= {"sent", "deferred"}, outcomes  # waiting for a token is not a failed attempt
    assert outcomes.count("sent") == 8
    assert len(bot.messages_to(CHAT)) == 8
    assert bot.rate_limited == 0
    assert len(grants) == 8
    assert all(b - a >= 0.25 - 2e-6 for a, b in zip(grants, grants[1:])), grants
    assert Notice.objects.filter(pk__in=notices, attempts=1).count() == 8
    delivery.reset_limiter()
