"""Sending one notice: claim it, respect the shared limits, send, record the outcome.

A notice is claimed with one conditional UPDATE (pending/failed and due, or a
``sending`` row whose worker vanished more than the lease ago → sending,
attempts + 1); a worker that does not win the claim does nothing, so a notice
already sent is never sent again.  Long texts go out in parts and every part
sent is recorded at once (``parts_sent``), so a retry continues where the last
attempt stopped.
"""

from __future__ import annotations

import html
import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.html import strip_tags

from common import queue
from common.limits import one_line
from missions.models import OrderDocument

from .models import Channel, Notice, TelegramAccount
from .outbox import alert_dead_notice, fallback_for
from .ratelimit import Bucket, LocalLimiter, TokenBucketLimiter, telegram_buckets
from .services import channel_mark_broken, channel_migrate, telegram_link_broken
from .telegram.client import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    PermanentError,
    RetryAfter,
    TelegramClient,
    TelegramError,
    TransientError,
    Unauthorized,
)
from .telegram.text import CAPTION_LIMIT, fit_caption, split_message

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 15  # failed attempts; a 429 (rate limit) is not one
GLOBAL_FLOOD_CHATS = 3  # 429s for this many different chats within a second: the whole bot is told to wait
BACKOFF_CAP = 600  # seconds
INLINE_WAIT = 1.0  # wait for a token inside the task up to this long; longer waits re-queue
DOCUMENT_WAIT_LIMIT = timedelta(hours=2)  # a notice waiting for its PDF longer than this goes as text alone
CHAT_GONE = ("chat not found", "bot was blocked", "bot was kicked", "user is deactivated", "group chat was deactivated",
             "not enough rights", "have no rights", "bot is not a member", "chat_id is empty")


def lease() -> timedelta:
    return timedelta(seconds=settings.NOTICE_SENDING_LEASE)


@dataclass
class Outcome:
    status: str  # sent, held, retry, deferred, waiting (for its PDF), dead, skipped
    countdown: float | None = None  # re-queue after this many seconds


# --- rate limiting ---------------------------------------------------------------------


_limiter = None
_limiter_lock = threading.Lock()


def limiter():
    global _limiter
    with _limiter_lock:
        if _limiter is None:
            if settings.REDIS_URL:
                import redis

                client = redis.Redis.from_url(
                    settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=3, health_check_interval=10
                )
                _limiter = TokenBucketLimiter(client, prefix="portal:telegram")
            else:
                _limiter = LocalLimiter()
        return _limiter


def reset_limiter() -> None:
    global _limiter
    with _limiter_lock:
        _limiter = None


def buckets_for(chat_id: int) -> list[Bucket]:
    return telegram_buckets(
        chat_id,
        per_chat=settings.TELEGRAM_RATE_PER_CHAT,
        per_group_per_minute=settings.TELEGRAM_RATE_PER_GROUP_MINUTE,
        global_per_second=settings.TELEGRAM_RATE_GLOBAL,
    )


def take_token(chat_id: int) -> float:
    """0 once a token was taken from every bucket of ``chat_id``; else the seconds to wait (> INLINE_WAIT)."""
    buckets = buckets_for(chat_id)
    deadline = time.monotonic() + INLINE_WAIT
    while True:
        wait = limiter().acquire(buckets)
        if wait == 0:
            return 0.0
        if time.monotonic() + wait > deadline:
            return wait
        time.sleep(wait)


def client() -> TelegramClient:
    return TelegramClient(settings.TELEGRAM_BOT_TOKEN, base_url=settings.TELEGRAM_API_URL)


# --- claim and outcomes ---------------------------------------------------------------


def claim(notice_id: int) -> Notice | None:
    now = timezone.now()
    due = Q(state__in=[Notice.State.PENDING, Notice.State.FAILED], next_attempt_at__lte=now)
    stale = Q(state=Notice.State.SENDING, claimed_at__lt=now - lease())
    won = Notice.objects.filter(pk=notice_id).filter(due | stale).update(
        state=Notice.State.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    if won != 1:
        return None
    return Notice.objects.select_related("channel", "recipient", "document", "post", "order").get(pk=notice_id)


def _update(notice: Notice, **fields) -> None:
    """Write the outcome only while this worker still holds the claim."""
    Notice.objects.filter(pk=notice.pk, state=Notice.State.SENDING, claimed_at=notice.claimed_at).update(**fields)


def _sent(notice: Notice, message_id=None, **extra) -> Outcome:
    fields = {"state": Notice.State.SENT, "sent_at": timezone.now(), "last_error": "", **extra}
    if message_id is not None and notice.telegram_message_id is None:
        fields["telegram_message_id"] = message_id
    _update(notice, **fields)
    return Outcome("sent")


def _retry(notice: Notice, error: str, seconds: float) -> Outcome:
    if notice.attempts >= MAX_ATTEMPTS:
        return _dead(notice, f"{error} (gave up after {notice.attempts} attempts)")
    _update(notice, state=Notice.State.FAILED, last_error=error[:2000],
            next_attempt_at=timezone.now() + timedelta(seconds=seconds))
    return Outcome("retry", seconds)


def _defer(notice: Notice, why: str, seconds: float) -> Outcome:
    """Not an attempt (waiting for a token or a document): give the claim back."""
    _update(notice, state=Notice.State.PENDING, attempts=F("attempts") - 1, last_error=why[:2000],
            next_attempt_at=timezone.now() + timedelta(seconds=seconds))
    return Outcome("deferred", seconds)


def _rate_limited(notice: Notice, chat_id, retry_after: float, error: str) -> Outcome:
    """Telegram said 429: not an attempt.  The chat's bucket (or the bot's) waits ``retry_after`` for every worker."""
    pause_for(chat_id, retry_after)
    _update(notice, state=Notice.State.PENDING, attempts=F("attempts") - 1, last_error=error[:2000],
            next_attempt_at=timezone.now() + timedelta(seconds=retry_after))
    return Outcome("rate_limited", retry_after)


def pause_for(chat_id, retry_after: float) -> None:
    buckets = buckets_for(chat_id)
    try:
        shared = limiter()
        if shared.note_flood(chat_id) >= GLOBAL_FLOOD_CHATS:
            shared.pause([b for b in buckets if b.key == "global"], retry_after)
            log.warning("429 for %d chats within a second: every send waits %s s", GLOBAL_FLOOD_CHATS, retry_after)
        shared.pause([b for b in buckets if b.key != "global"], retry_after)
    except Exception as exc:  # noqa: BLE001  (Redis down: the notice's own next_attempt_at still waits)
        log.warning("could not pause the buckets of chat %s: %s", chat_id, exc)


def _dead(notice: Notice, error: str, alert: bool = True) -> Outcome:
    with transaction.atomic():
        changed = Notice.objects.filter(pk=notice.pk, state=Notice.State.SENDING, claimed_at=notice.claimed_at) \
            .update(state=Notice.State.DEAD, last_error=error[:2000])
        if changed and alert:
            alert_dead_notice(notice, error)
    return Outcome("dead")


def backoff(attempts: int) -> float:
    return float(min(BACKOFF_CAP, 2 ** max(1, attempts)))


# --- the send --------------------------------------------------------------------------


ORDER_WAIT = "waiting for an earlier notice to the same chat"


def _earlier_unsent(notice: Notice):
    """The oldest notice to the same Telegram chat, created before this one, not yet sent (nor given up)."""
    if notice.transport != Notice.Transport.TELEGRAM or notice.chat_id is None:
        return None
    return (
        Notice.objects.filter(transport=Notice.Transport.TELEGRAM, chat_id=notice.chat_id, pk__lt=notice.pk,
                              state__in=[Notice.State.PENDING, Notice.State.FAILED, Notice.State.SENDING])
        .order_by("pk").only("pk", "state", "next_attempt_at").first()
    )


def _kick_next(notice: Notice) -> None:
    """This notice is done: the next one to the same chat that waits only for it may go now."""
    if notice.transport != Notice.Transport.TELEGRAM or notice.chat_id is None:
        return
    following = (
        Notice.objects.filter(transport=Notice.Transport.TELEGRAM, chat_id=notice.chat_id, pk__gt=notice.pk,
                              state=Notice.State.PENDING, last_error__startswith=ORDER_WAIT)
        .order_by("pk").values_list("pk", flat=True).first()
    )
    if following is None or _earlier_unsent(Notice(pk=following, transport=notice.transport, chat_id=notice.chat_id)):
        return
    if Notice.objects.filter(pk=following, state=Notice.State.PENDING, last_error__startswith=ORDER_WAIT).update(
            next_attempt_at=timezone.now()):
        queue.now("groups.send_notice", following)


def deliver(notice_id: int) -> Outcome:
    """Send one notice; notices to one chat go out in the order they were written."""
    notice = claim(notice_id)
    if notice is None:
        return Outcome("skipped")
    outcome = _deliver(notice)
    if outcome.status in ("sent", "dead"):
        try:
            _kick_next(notice)
        except Exception:  # noqa: BLE001  (the sweeper sends it anyway)
            log.exception("notice %s: could not wake the next notice to its chat", notice_id)
    return outcome


def _deliver(notice: Notice) -> Outcome:
    notice_id = notice.pk
    try:
        blocker = _earlier_unsent(notice)
        if blocker is not None:
            due = max(0.0, (blocker.next_attempt_at - timezone.now()).total_seconds())
            return _defer(notice, f"{ORDER_WAIT} ({blocker.pk})", min(BACKOFF_CAP, due + 2.0))
        if notice.transport == Notice.Transport.FEED:
            return _sent(notice)
        document, outcome = _document_for(notice)
        if outcome is not None:
            return outcome
        if notice.transport == Notice.Transport.EMAIL:
            return _send_email(notice, document)
        return _send_telegram(notice, document)
    except Exception as exc:  # noqa: BLE001  (never leave a row in "sending" for a bug or an outage)
        log.exception("notice %s: unexpected error", notice_id)
        return _retry(notice, f"{type(exc).__name__}: {exc}", backoff(notice.attempts))


PDF_WAIT = "waiting for the order PDF"


def _document_for(notice: Notice):
    """(document or None, outcome to return now or None).

    A notice written with an order's PDF (``notice.document``) goes out with it once it is ready.  Until then it
    is given back, due only when the waiting limit ends: the render, storing the file, releases it on commit
    (``release_waiting``), so nothing polls.  Past the limit the text goes alone rather than never."""
    doc = notice.document
    if doc is None:
        return None, None
    if doc.status == OrderDocument.Status.READY and doc.file:
        return doc, None
    waited = timezone.now() - notice.created
    if waited > DOCUMENT_WAIT_LIMIT:
        return None, None
    why = PDF_WAIT if doc.status == OrderDocument.Status.PENDING else \
        "the order PDF failed to render; waiting for a new render"
    _update(notice, state=Notice.State.PENDING, attempts=F("attempts") - 1, last_error=why,
            next_attempt_at=notice.created + DOCUMENT_WAIT_LIMIT)
    # The PDF may have been stored between the look above and the line written just now, its release finding
    # this notice still claimed: look once more, so the release is never missed.
    if OrderDocument.objects.filter(pk=doc.pk, status=OrderDocument.Status.READY).exclude(file="").exists():
        Notice.objects.filter(pk=notice.pk, state=Notice.State.PENDING).update(next_attempt_at=timezone.now())
        return None, Outcome("deferred", 0.0)
    return None, Outcome("waiting")


def release_waiting(document_id: int) -> int:
    """``document_id`` is ready (committed): queue now the notices waiting for it.  Returns how many."""
    now = timezone.now()
    waiting = list(Notice.objects.filter(document_id=document_id, state=Notice.State.PENDING, next_attempt_at__gt=now)
                   .values_list("pk", flat=True))
    if waiting:
        Notice.objects.filter(pk__in=waiting, state=Notice.State.PENDING).update(next_attempt_at=now)
    for pk in waiting:
        queue.now("groups.send_notice", pk)
    return len(waiting)


@dataclass
class Attachment:
    """The file sent with a notice: an order's PDF, or a post's attachment."""

    name: str
    mime_type: str
    file: object

    def read(self) -> bytes:
        with self.file.open("rb") as fh:
            return fh.read()


def attachment_for(notice: Notice, document) -> Attachment | None:
    if document is not None:
        return Attachment(f"mission-order-{document.order_id}-v{document.version}.pdf", "application/pdf", document.file)
    post = notice.post if notice.post_id else None
    if post is not None and post.attachment:
        return Attachment(post.attachment_name or "attachment", post.attachment_type or "application/octet-stream",
                          post.attachment)
    return None


def _send_email(notice: Notice, document) -> Outcome:
    plain = html.unescape(strip_tags(notice.text))
    recipients = [a.strip() for a in notice.email_to.splitlines() if a.strip()]
    if not recipients:
        return _dead(notice, "no e-mail address")
    message = EmailMessage(subject=one_line(notice.subject or plain.splitlines()[0])[:150], body=plain,
                           from_email=settings.DEFAULT_FROM_EMAIL, to=recipients)
    attachment = attachment_for(notice, document)
    if attachment is not None:
        message.attach(attachment.name, attachment.read(), attachment.mime_type)
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001  (SMTP errors of every kind)
        return _retry(notice, f"e-mail: {type(exc).__name__}: {exc}", backoff(notice.attempts))
    return _sent(notice)


def plan(notice: Notice, document) -> list[tuple[str, str]]:
    """The Bot API calls for this notice: [("document", caption)] + [("message", text) ...]."""
    if document is not None:
        caption, rest = fit_caption(notice.text, CAPTION_LIMIT)
        return [("document", caption)] + [("message", part) for part in rest]
    return [("message", part) for part in split_message(notice.text)]


def _target_chat(notice: Notice) -> int | None:
    if notice.channel_id:
        return notice.channel.chat_id
    return notice.chat_id


def _send_telegram(notice: Notice, document) -> Outcome:
    if not settings.TELEGRAM_BOT_TOKEN:
        _update(notice, state=Notice.State.HELD, attempts=F("attempts") - 1,
                last_error="no TELEGRAM_BOT_TOKEN: kept in the outbox")
        return Outcome("held")
    if notice.channel_id and notice.channel.status == Channel.Status.BROKEN:
        return _pause_for_channel(notice, f"channel broken: {notice.channel.broken_reason}")
    chat_id = _target_chat(notice)
    if chat_id is None:
        return _dead(notice, "no Telegram chat to send to")
    if notice.withdraws_id:
        return _withdraw_messages(notice, chat_id)
    attachment = attachment_for(notice, document)
    calls = plan(notice, attachment)
    bot = client()
    migrations = 0
    index = notice.parts_sent
    while index < len(calls):
        try:
            wait = take_token(chat_id)
        except Exception as exc:  # noqa: BLE001  (Redis down or restarting)
            return _retry(notice, f"rate limiter unavailable: {type(exc).__name__}: {exc}", 2)
        if wait:
            return _defer(notice, f"rate limit: next token in {wait:.2f} s", wait)
        kind, text = calls[index]
        try:
            if kind == "document":
                result = bot.send_document(chat_id, attachment.name, attachment.read(), caption=text or None,
                                           mime_type=attachment.mime_type)
            else:
                markup = notice.reply_markup if index == len(calls) - 1 else None
                result = bot.send_message(chat_id, text, reply_markup=markup)
        except RetryAfter as exc:
            return _rate_limited(notice, chat_id, exc.retry_after, str(exc))
        except ChatMigrated as exc:
            migrations += 1
            if migrations > 2:
                return _retry(notice, str(exc), backoff(notice.attempts))
            chat_id = _migrate(notice, exc.new_chat_id)
            continue
        except (Forbidden, BadRequest) as exc:
            return _permanent(notice, exc)
        except Unauthorized as exc:
            return _retry(notice, f"bot token refused: {exc}", BACKOFF_CAP)
        except PermanentError as exc:
            return _dead(notice, str(exc))
        except (TransientError, TelegramError) as exc:
            return _retry(notice, str(exc), backoff(notice.attempts))
        index += 1
        message_id = (result or {}).get("message_id") if isinstance(result, dict) else None
        if message_id is not None:  # kept so that a revoked order's messages can be deleted
            notice.telegram_messages = [*notice.telegram_messages, [message_id, kind]]
        if index == len(calls):  # one UPDATE: the shortest window between Telegram's answer and the commit
            return _sent(notice, message_id, parts_sent=index, telegram_messages=notice.telegram_messages)
        fields = {"parts_sent": index, "telegram_messages": notice.telegram_messages}
        if message_id is not None and notice.telegram_message_id is None:
            fields["telegram_message_id"] = message_id
            notice.telegram_message_id = message_id
        _update(notice, **fields)
    return _sent(notice)  # pragma: no cover  (the loop returns after the last part)


def _migrate(notice: Notice, new_chat_id: int) -> int:
    if notice.channel_id:
        channel_migrate(channel=notice.channel, new_chat_id=new_chat_id)
        notice.channel.chat_id = new_chat_id
    else:
        TelegramAccount.objects.filter(chat_id=notice.chat_id).update(chat_id=new_chat_id)
    Notice.objects.filter(pk=notice.pk).update(chat_id=new_chat_id)
    notice.chat_id = new_chat_id
    return new_chat_id


def _pause_for_channel(notice: Notice, why: str) -> Outcome:
    """Kept (not an attempt) until the channel is repaired; ``channel_repair`` sends it then, in order."""
    _update(notice, state=Notice.State.PAUSED, attempts=F("attempts") - 1, last_error=why[:2000])
    return Outcome("paused")


def _permanent(notice: Notice, exc: TelegramError) -> Outcome:
    """Telegram refuses for good.  A channel is marked broken and keeps its posts for when it is repaired; a
    person who blocked the bot has the link marked broken and gets the notice another way."""
    description = str(exc.description or "").lower()
    chat_gone = isinstance(exc, Forbidden) or any(marker in description for marker in CHAT_GONE)
    if chat_gone and notice.channel_id:
        with transaction.atomic():
            outcome = _pause_for_channel(notice, f"channel broken: {exc}")
            channel_mark_broken(channel=notice.channel, reason=str(exc))
        return outcome
    if chat_gone and notice.recipient_id:
        with transaction.atomic():
            outcome = _dead(notice, str(exc), alert=False)
            account = TelegramAccount.objects.select_related("official").filter(
                official_id=notice.recipient_id, chat_id=notice.chat_id).first()
            if account is not None:
                telegram_link_broken(account=account, reason=str(exc))
            if not fallback_for(notice, str(exc)):
                alert_dead_notice(notice, f"{exc} (no other way to reach {notice.recipient})")
        return outcome
    return _dead(notice, str(exc))


UNDELETABLE = "message can't be deleted"  # Telegram's answer after 48 hours
ALREADY_GONE = ("message to delete not found", "message to edit not found", "message is not modified")


def _withdraw_messages(notice: Notice, chat_id: int) -> Outcome:
    """Take a revoked or cancelled order's messages out of a group chat: delete each one, or, where Telegram
    refuses (older than 48 hours), edit it to this notice's text, which says the order was revoked or cancelled.
    ``parts_sent`` counts the messages dealt with, so a retry goes on where the last attempt stopped."""
    original = Notice.objects.filter(pk=notice.withdraws_id).only("telegram_messages").first()
    messages = original.telegram_messages if original is not None else []  # a dead one may have sent parts
    bot = client()
    edited = []
    for index in range(notice.parts_sent, len(messages)):
        message_id, kind = messages[index]
        try:
            wait = take_token(chat_id)
        except Exception as exc:  # noqa: BLE001  (Redis down or restarting)
            return _retry(notice, f"rate limiter unavailable: {type(exc).__name__}: {exc}", 2)
        if wait:
            return _defer(notice, f"rate limit: next token in {wait:.2f} s", wait)
        try:
            try:
                bot.delete_message(chat_id, message_id)
            except BadRequest as exc:
                description = str(exc.description or "").lower()
                if UNDELETABLE not in description:
                    raise
                if kind == "document":
                    bot.edit_message_caption(chat_id, message_id, notice.text)
                else:
                    bot.edit_message_text(chat_id, message_id, notice.text)
                edited.append(message_id)
        except RetryAfter as exc:
            return _rate_limited(notice, chat_id, exc.retry_after, str(exc))
        except BadRequest as exc:
            if not any(marker in str(exc.description or "").lower() for marker in ALREADY_GONE):
                return _dead(notice, str(exc))
        except (Forbidden, PermanentError) as exc:
            return _dead(notice, str(exc))
        except (TransientError, TelegramError) as exc:
            return _retry(notice, str(exc), backoff(notice.attempts))
        _update(notice, parts_sent=index + 1)
    note = f"older than 48 hours, marked instead of deleted: {edited}" if edited else ""
    return _sent(notice, parts_sent=len(messages), last_error=note)
