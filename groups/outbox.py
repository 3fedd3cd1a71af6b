"""Writing notices into the outbox, inside the caller's transaction.

Every writer here must be called inside the transaction of the change that causes
the notice: the row commits or rolls back with it, and sending is queued only on
commit.  ``idempotency_key`` is unique, so writing the same notice twice (a
retried event, a double click) keeps one row.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from common import queue
from common.limits import one_line
from ministry.models import Official, Role

from .models import Channel, Notice, TelegramAccount


def render_notice(kind: str, context: dict) -> str:
    """Telegram HTML for notice ``kind`` (Khmer first, then English); autoescaped."""
    name = kind.replace(".", "_")
    return render_to_string(f"groups/notices/{name}.html", {"site_url": settings.SITE_URL.rstrip("/"), **context}).strip()


def telegram_live() -> bool:
    return bool(settings.TELEGRAM_BOT_TOKEN)


def _initial_state(transport: str) -> str:
    if transport == Notice.Transport.TELEGRAM and not telegram_live():
        return Notice.State.HELD
    return Notice.State.PENDING


def queue_on_commit(notice_ids) -> None:
    ids = list(notice_ids)
    if not ids:
        return

    for pk in ids:
        queue.after_commit("groups.send_notice", pk)


def write(*, key: str, transport: str, kind: str, text: str, subject: str = "", channel=None, recipient=None,
          chat_id=None, email_to: str = "", reply_markup=None, document=None, post=None, order=None,
          withdraws=None, queue: bool = True) -> Notice | None:
    """One outbox row (or None when a row with ``key`` already exists)."""
    state = _initial_state(transport)
    values = dict(
        transport=transport, kind=kind, text=text, subject=one_line(subject)[:200], channel=channel, recipient=recipient,
        chat_id=chat_id, email_to=email_to, reply_markup=reply_markup, document=document, post=post, order=order,
        withdraws=withdraws, state=state,
    )
    if transport == Notice.Transport.FEED:
        values.update(state=Notice.State.SENT, sent_at=timezone.now())
    elif transport == Notice.Transport.TELEGRAM and channel is not None and channel.status == Channel.Status.BROKEN:
        # Kept for the repair, where a moderator chooses what the channel still receives (``channel_repair``).
        values.update(state=Notice.State.PAUSED, last_error=f"channel broken: {channel.broken_reason}"[:2000])
    try:
        with transaction.atomic():
            notice = Notice.objects.create(idempotency_key=key[:200], **values)
    except IntegrityError:
        if Notice.objects.filter(idempotency_key=key[:200]).exists():
            return None
        raise
    if queue and notice.state == Notice.State.PENDING:
        queue_on_commit([notice.pk])
    return notice


def to_official(official: Official, *, key: str, kind: str, context: dict, subject: str = "", reply_markup=None,
                order=None, post=None, document=None) -> Notice | None:
    """A direct notice: to the official's linked Telegram chat, else to their e-mail, else nothing.  With
    ``document`` (an order's PDF) the notice carries it, and waits for it while it renders."""
    text = render_notice(kind, {**context, "recipient": official})
    account = TelegramAccount.objects.filter(official=official, broken_at__isnull=True).first()
    if account is not None:
        return write(key=f"{key}:tg", transport=Notice.Transport.TELEGRAM, kind=kind, text=text, subject=subject,
                     recipient=official, chat_id=account.chat_id, reply_markup=reply_markup, order=order, post=post,
                     document=document)
    if official.email:
        return write(key=f"{key}:mail", transport=Notice.Transport.EMAIL, kind=kind, text=text, subject=subject,
                     recipient=official, email_to=official.email, order=order, post=post, document=document)
    return None


def to_channel(channel: Channel, *, key: str, kind: str, text: str, subject: str = "", post=None, order=None,
               document=None) -> Notice | None:
    if channel.kind == Channel.Kind.TELEGRAM:
        return write(key=key, transport=Notice.Transport.TELEGRAM, kind=kind, text=text, subject=subject,
                     channel=channel, chat_id=channel.chat_id, post=post, order=order, document=document)
    if channel.kind == Channel.Kind.EMAIL:
        addresses = "\n".join(channel.email_list)
        if not addresses:
            return None
        return write(key=key, transport=Notice.Transport.EMAIL, kind=kind, text=text, subject=subject,
                     channel=channel, email_to=addresses, post=post, order=order, document=document)
    return write(key=key, transport=Notice.Transport.FEED, kind=kind, text=text, subject=subject, channel=channel,
                 post=post, order=order)


def withdraw_from_channel(original: Notice, *, order, revoked: bool) -> Notice | None:
    """The group message ``original`` carried an order now revoked or cancelled: delete it from the chat, or mark it
    where Telegram no longer lets the bot delete it (``delivery._withdraw_messages``).  In the chat's order, after
    whatever was sent to it before."""
    channel = original.channel
    text = render_notice("post.withdrawn", {"order": order, "revoked": revoked})
    return write(key=f"withdraw:{original.pk}", transport=Notice.Transport.TELEGRAM, kind="post.withdrawn", text=text,
                 subject=original.subject, channel=channel, chat_id=channel.chat_id, withdraws=original)


def administrators():
    return Official.objects.filter(active=True, user__isnull=False).filter(
        Q(user__groups__name=Role.ADMINISTRATOR) | Q(user__is_superuser=True)
    ).distinct()


# Kinds written to the administrators about delivery itself: never alerted about when they fail in turn.
ALERT_KINDS = frozenset({"notice.dead", "channel.broken"})


def site_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def alert_administrators(*, key: str, kind: str, context: dict, subject: str = "") -> list[Notice]:
    """One notice of ``kind`` to every administrator (Telegram when linked, else e-mail), keyed per administrator."""
    written = []
    for admin in administrators():
        notice = to_official(admin, key=f"{key}:{admin.pk}", kind=kind, context=context, subject=subject)
        if notice is not None:
            written.append(notice)
    return written


def alert_dead_notice(notice: Notice, error: str) -> list[Notice]:
    """A notice failed for good: tell the administrators (at most once an hour each; the admin lists them all)."""
    if notice.kind in ALERT_KINDS:
        return []
    admin_url = site_url(reverse("admin:groups_notice_changelist") + "?state=dead")
    hour = timezone.now().strftime("%Y%m%d%H")
    return alert_administrators(key=f"notice.dead:{hour}", kind="notice.dead",
                                context={"notice": notice, "error": error[:300], "admin_url": admin_url},
                                subject=f"Notice not delivered: {notice.kind}")


def fallback_for(notice: Notice, reason: str) -> list[Notice]:
    """A direct notice could not reach the person's Telegram: deliver it another way (e-mail when they have one).

    This is the one place that decides the other ways a person is reached when Telegram refuses; it returns the
    notices written for them.
    """
    official = notice.recipient
    written = []
    if official is not None and official.email:
        mail = write(key=f"{notice.idempotency_key}:fallback-mail", transport=Notice.Transport.EMAIL, kind=notice.kind,
                     text=notice.text, subject=notice.subject, recipient=official, email_to=official.email,
                     order=notice.order, post=notice.post, document=notice.document)
        if mail is not None:
            written.append(mail)
    return written
