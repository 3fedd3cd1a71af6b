"""Leadership and unit groups (Instruction 996 A.1–A.4), their channels, posts and the notice outbox.

Membership is never stored: it is computed from the officials' current positions
(``groups.selectors.members``) plus explicit ``ExtraMember`` rows, so promotions,
transfers and retirements change it with no further step.

``Notice`` is the outbox: one row per message to deliver, written in the same
transaction as its cause and sent after commit by ``groups.tasks.send_notice``.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from common import limits
from common.language import reads_english
from common.storage import private_storage, random_upload_path
from ministry.models import Official, Unit


class ChatGroup(models.Model):
    class Kind(models.TextChoices):
        LEADERSHIP = "leadership", _("Leadership group")
        UNIT = "unit", _("Unit group")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="chat_groups"
    )
    name_km = models.CharField(_("Khmer name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    moderators = models.ManyToManyField(
        Official, verbose_name=_("moderators"), blank=True, related_name="moderated_groups",
        help_text=_("They approve or reject posts (A.4). The Cabinet moderates the leadership group."),
    )
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["kind", "name_en"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="leadership"), name="one_leadership_group"),
            models.UniqueConstraint(fields=["unit"], condition=Q(kind="unit"), name="one_group_per_unit"),
            models.CheckConstraint(
                condition=(Q(kind="leadership", unit__isnull=True) | Q(kind="unit", unit__isnull=False)),
                name="unit_group_has_unit",
            ),
        ]

    @property
    def name(self):
        return self.name_en if reads_english() and self.name_en else self.name_km

    def __str__(self):
        return self.name

    @property
    def is_leadership(self):
        return self.kind == self.Kind.LEADERSHIP


class ExtraMember(models.Model):
    """Someone who is a member without holding a qualifying position (A.1 list or unit)."""

    group = models.ForeignKey(ChatGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="extras")
    official = models.ForeignKey(Official, verbose_name=_("official"), on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["group", "official__name_latin"]
        verbose_name = _("extra member")
        verbose_name_plural = _("extra members")
        constraints = [models.UniqueConstraint(fields=["group", "official"], name="extra_member_once")]

    def __str__(self):
        return f"{self.official} ({self.reason})"


class Channel(models.Model):
    class Kind(models.TextChoices):
        TELEGRAM = "telegram", _("Telegram group")
        EMAIL = "email", _("E-mail list")
        FEED = "feed", _("Portal feed")

    class Status(models.TextChoices):
        OK = "ok", _("Working")
        BROKEN = "broken", _("Broken")

    group = models.ForeignKey(ChatGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    chat_id = models.BigIntegerField(_("Telegram chat id"), null=True, blank=True)
    emails = models.TextField(_("e-mail addresses"), blank=True, max_length=limits.EMAILS,
                              help_text=_("One address a line."))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OK)
    broken_reason = models.CharField(_("why broken"), max_length=300, blank=True)
    broken_at = models.DateTimeField(_("broken since"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["group", "kind", "id"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        constraints = [
            models.UniqueConstraint(fields=["group"], condition=Q(kind="feed"), name="one_feed_per_group"),
            models.CheckConstraint(condition=~Q(kind="telegram") | Q(chat_id__isnull=False), name="telegram_has_chat"),
        ]

    def __str__(self):
        target = self.chat_id if self.kind == self.Kind.TELEGRAM else ""
        return f"{self.group} · {self.get_kind_display()} {target}".strip()

    @property
    def email_list(self) -> list[str]:
        return [a.strip() for a in self.emails.replace(",", "\n").splitlines() if a.strip()]


class Post(models.Model):
    class Category(models.TextChoices):
        MEETING = "meeting", _("Meeting invitation")
        ACTION_PLAN = "action_plan", _("Action plan: request or recommendation")
        MISSION_ORDER = "mission_order", _("Mission order")
        ANNOUNCEMENT = "announcement", _("Announcement within the Ministry's remit")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn (the order was revoked or cancelled)")

    group = models.ForeignKey(ChatGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="posts")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    body_km = models.TextField(_("text (Khmer)"), max_length=limits.POST_BODY)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    meeting_time = models.TimeField(_("meeting time"), null=True, blank=True)
    meeting_place = models.CharField(_("meeting place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True, max_length=limits.AGENDA)
    order = models.ForeignKey(
        "missions.MissionOrder", verbose_name=_("mission order"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="posts",
    )
    document = models.ForeignKey(
        "missions.OrderDocument", verbose_name=_("order PDF"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="posts",
    )
    attachment = models.FileField(
        _("attachment"), storage=private_storage, upload_to=random_upload_path, blank=True, max_length=200
    )
    attachment_type = models.CharField(max_length=40, blank=True, editable=False)
    attachment_name = models.CharField(max_length=200, blank=True, editable=False)
    author = models.ForeignKey(
        Official, verbose_name=_("author"), null=True, blank=True, on_delete=models.PROTECT, related_name="posts"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    moderated_by = models.ForeignKey(
        Official, verbose_name=_("moderated by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    reason = models.TextField(_("reason for rejection"), blank=True, max_length=limits.REASON)
    forwarded_from = models.ForeignKey(
        "self", verbose_name=_("forwarded from"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="forwards",
    )
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["group", "state", "-created"])]
        constraints = [
            models.UniqueConstraint(
                fields=["forwarded_from", "group"], condition=Q(forwarded_from__isnull=False), name="forward_once"
            ),
            models.UniqueConstraint(
                fields=["order", "group"], condition=Q(category="mission_order"), name="order_posted_once"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def category_km(self):
        """The category in Khmer whatever the reader's language: the catalogue's one wording (docs/GLOSSARY.md)."""
        with translation.override("km"):
            return str(self.get_category_display())

    @property
    def category_en(self):
        with translation.override("en"):
            return str(self.get_category_display())


class TelegramAccount(models.Model):
    official = models.OneToOneField(
        Official, verbose_name=_("official"), on_delete=models.CASCADE, related_name="telegram"
    )
    telegram_user_id = models.BigIntegerField(_("Telegram user id"), unique=True)
    chat_id = models.BigIntegerField(_("private chat id"))
    username = models.CharField(_("Telegram username"), max_length=64, blank=True)
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)
    broken_at = models.DateTimeField(
        _("Telegram refused since"), null=True, blank=True,
        help_text=_("Telegram refused to deliver to this chat (the bot was blocked): notices go by e-mail until "
                    "the official links again."),
    )
    broken_reason = models.CharField(_("why"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Telegram account")
        verbose_name_plural = _("Telegram accounts")

    def __str__(self):
        return f"{self.official} ↔ {self.telegram_user_id}"


def new_link_token() -> str:
    return secrets.token_urlsafe(24)  # 32 characters of A-Za-z0-9_-


class LinkToken(models.Model):
    """One-time deep-link token: t.me/<bot>?start=<token> links the Telegram account that uses it."""

    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="telegram_link_tokens")
    token = models.CharField(max_length=64, unique=True, default=new_link_token)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Telegram link token")
        verbose_name_plural = _("Telegram link tokens")

    def __str__(self):
        return f"{self.official} · {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class Notice(models.Model):
    """One message to deliver (the outbox row)."""

    class Transport(models.TextChoices):
        TELEGRAM = "telegram", _("Telegram")
        EMAIL = "email", _("E-mail")
        FEED = "feed", _("Portal feed")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        HELD = "held", _("Outbox only (no bot token)")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Failed for good")
        PAUSED = "paused", _("Waiting for the channel to be repaired")
        WITHHELD = "withheld", _("Not sent: withheld when the channel was repaired")

    transport = models.CharField(_("transport"), max_length=10, choices=Transport.choices)
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    recipient = models.ForeignKey(
        Official, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    chat_id = models.BigIntegerField(_("Telegram chat id"), null=True, blank=True)
    email_to = models.TextField(_("e-mail to"), blank=True)
    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.TextField(_("text"), help_text=_("Telegram HTML, Khmer first then English."))
    reply_markup = models.JSONField(_("buttons"), null=True, blank=True)
    document = models.ForeignKey(
        "missions.OrderDocument", verbose_name=_("document"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    order = models.ForeignKey(
        "missions.MissionOrder", null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    parts_sent = models.PositiveSmallIntegerField(_("parts sent"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    telegram_message_id = models.BigIntegerField(_("Telegram message id"), null=True, blank=True)
    telegram_messages = models.JSONField(
        _("Telegram messages"), default=list, blank=True,
        help_text=_("Every message Telegram accepted for this notice, as [message id, kind], in order."),
    )
    withdraws = models.ForeignKey(
        "self", verbose_name=_("withdraws"), null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text=_("The notice whose Telegram messages this one deletes (or marks) because its order was revoked "
                    "or cancelled."),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices (outbox)")
        indexes = [models.Index(fields=["state", "next_attempt_at"]),
                   models.Index(fields=["chat_id", "state"], name="groups_notice_chat_state")]

    def __str__(self):
        return f"{self.kind} → {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.recipient_id:
            return str(self.recipient)
        if self.channel_id:
            return str(self.channel)
        return self.email_to or str(self.chat_id or "")
