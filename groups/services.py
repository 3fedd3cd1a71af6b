"""Business actions on groups, posts, channels and Telegram links: one function per action, each audited.

A refused action raises ``TransitionRefused(message)``; bad input raises ``ValidationError``.
Notices are written in the same transaction and queued on commit.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import mail_admins
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common import limits
from common.uploads import check_upload
from khmer.digits import to_khmer_digits
from ministry.audit import audit
from ministry.models import Official, Role, Unit
from ministry.offices import returns_clerks
from ministry.roles import has_role, official_of
from missions.models import MissionOrder, OrderDocument, OrderLog, State
from missions.models import State as OrderState
from missions.services import TransitionRefused

from . import outbox
from .models import Channel, ChatGroup, ExtraMember, LinkToken, Notice, Post, TelegramAccount
from .receivers import tell
from .selectors import heads_group, is_member, leadership_group, may_moderate

LINK_TOKEN_LIFETIME = timedelta(minutes=30)


# --- groups and channels ----------------------------------------------------------


def _cabinet_check(group: ChatGroup, officials) -> None:
    if group.is_leadership:
        cabinet = Unit.objects.get(code="CABINET")
        outsiders = [o for o in officials if not o.unit.path.startswith(cabinet.path)]
        if outsiders:
            raise ValidationError(
                {"moderators": _("The Cabinet moderates the leadership group: %(names)s are not in the Cabinet.")
                 % {"names": ", ".join(str(o) for o in outsiders)}}
            )


@transaction.atomic
def group_create(*, kind: str, name_km: str, name_en: str = "", unit: Unit | None = None, moderators=(),
                 by=None) -> ChatGroup:
    """Create a group with its portal feed channel (every group has one)."""
    if kind not in ChatGroup.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of group.")})
    if kind == ChatGroup.Kind.UNIT and unit is None:
        raise ValidationError({"unit": _("A unit group needs its unit.")})
    if kind == ChatGroup.Kind.LEADERSHIP:
        unit = None
        if ChatGroup.objects.filter(kind=kind).exists():
            raise ValidationError({"kind": _("There is already a leadership group.")})
    elif ChatGroup.objects.filter(kind=kind, unit=unit).exists():
        raise ValidationError({"unit": _("This unit already has a group.")})
    if not (name_km or "").strip():
        raise ValidationError({"name_km": _("Give the group a Khmer name.")})
    group = ChatGroup.objects.create(kind=kind, unit=unit, name_km=name_km.strip(), name_en=(name_en or "").strip())
    moderators = list(moderators)
    if not moderators and kind == ChatGroup.Kind.LEADERSHIP:
        moderators = list(Official.objects.filter(active=True, unit__code="CABINET", position__in_leadership_group=True))
    elif not moderators and unit is not None:
        moderators = list(Official.objects.filter(active=True, unit=unit, position__heads_unit=True))
    _cabinet_check(group, moderators)
    group.moderators.set(moderators)
    Channel.objects.create(group=group, kind=Channel.Kind.FEED)
    audit(group, "groups.group.created", by=by, kind=kind, unit=unit.code if unit else None,
          moderators=[m.pk for m in moderators])
    return group


@transaction.atomic
def group_set_moderators(*, group: ChatGroup, moderators, by) -> ChatGroup:
    moderators = list(moderators)
    _cabinet_check(group, moderators)
    group.moderators.set(moderators)
    audit(group, "groups.group.moderators_set", by=by, moderators=[m.pk for m in moderators])
    return group


@transaction.atomic
def channel_create(*, group: ChatGroup, kind: str, chat_id=None, emails: str = "", by=None) -> Channel:
    if kind == Channel.Kind.FEED:
        raise ValidationError({"kind": _("Every group already has its portal feed.")})
    if kind == Channel.Kind.TELEGRAM:
        try:
            chat_id = int(chat_id)
        except (TypeError, ValueError):
            raise ValidationError({"chat_id": _("A Telegram channel needs the numeric chat id.")}) from None
    elif kind == Channel.Kind.EMAIL:
        chat_id = None
        probe = Channel(emails=emails)
        if not probe.email_list:
            raise ValidationError({"emails": _("Give at least one e-mail address.")})
        for address in probe.email_list:
            validate_email(address)
    else:
        raise ValidationError({"kind": _("Choose the kind of channel.")})
    channel = Channel.objects.create(group=group, kind=kind, chat_id=chat_id, emails=emails)
    audit(channel, "groups.channel.created", by=by, group=group.pk, kind=kind, chat_id=chat_id)
    return channel


def channel_mark_broken(*, channel: Channel, reason: str, by=None) -> bool:
    """Mark a channel broken (no more sends) and tell the administrators. False if it already was."""
    with transaction.atomic():
        now = timezone.now()
        changed = Channel.objects.filter(pk=channel.pk, status=Channel.Status.OK).update(
            status=Channel.Status.BROKEN, broken_reason=reason[:300], broken_at=now
        )
        if changed != 1:
            return False
        channel.refresh_from_db()
        audit(channel, "groups.channel.broken", by=by, reason=reason)
        stamp = int(now.timestamp())
        for admin in outbox.administrators():
            outbox.to_official(
                admin, key=f"channel.broken:{channel.pk}:{stamp}:{admin.pk}", kind="channel.broken",
                context={"channel": channel, "reason": reason},
                subject=f"ឆានែលលែងដំណើរការ / Channel broken: {channel.group.name_km}",
            )
        transaction.on_commit(lambda: _mail_admins_broken(channel.pk, reason))
    return True


def _mail_admins_broken(channel_pk: int, reason: str) -> None:
    mail_admins(f"Telegram channel {channel_pk} is broken", f"Channel {channel_pk}: {reason}", fail_silently=True)


def may_repair(channel: Channel, user) -> bool:
    """A moderator of the channel's group, or an administrator, repairs a channel and chooses what it receives."""
    return is_notice_administrator(user) or may_moderate(channel.group, official_of(user))


def channel_waiting(channel: Channel):
    """What was published to ``channel`` while it was broken, oldest first: the repair sends it or withholds it."""
    return Notice.objects.filter(channel=channel, state=Notice.State.PAUSED).select_related("post").order_by("pk")


@transaction.atomic
def channel_repair(*, channel: Channel, by, chat_id=None, withhold=None, reviewed=None) -> Channel:
    """The channel works again: it receives, in their original order, what was published while it was broken,
    except the notices in ``withhold`` ({notice id: reason, possibly empty}), which are recorded as not sent,
    each audited with the actor and the reason.

    ``reviewed``: the ids of the waiting notices the person chose among; if others arrived meanwhile (or some
    went) the repair is refused and changes nothing, so nothing is sent that nobody saw.
    """
    if not may_repair(channel, by):
        raise PermissionDenied(_("Only a moderator of the group or an administrator can repair its channel."))
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    waiting = list(Notice.objects.select_for_update().filter(channel=channel, state=Notice.State.PAUSED)
                   .order_by("pk").values_list("pk", flat=True))
    withhold = {int(pk): (reason or "").strip() for pk, reason in (withhold or {}).items()}
    if channel.status != Channel.Status.BROKEN and not waiting:
        raise TransitionRefused(_("This channel is working: there is nothing to repair."))
    if reviewed is not None and sorted(int(pk) for pk in reviewed) != waiting:
        raise TransitionRefused(_("The posts waiting for this channel changed while you were choosing: "
                                  "look at the list again."))
    if set(withhold) - set(waiting):
        raise ValidationError(_("Only posts waiting for this channel can be withheld."))
    for reason in withhold.values():
        limits.require_length("reason", reason, limits.REASON)
    if chat_id not in (None, ""):
        channel.chat_id = int(chat_id)
    channel.status, channel.broken_reason, channel.broken_at = Channel.Status.OK, "", None
    channel.save()
    send = [pk for pk in waiting if pk not in withhold]
    Notice.objects.filter(pk__in=send).update(state=Notice.State.PENDING, chat_id=channel.chat_id,
                                              next_attempt_at=timezone.now(), last_error="")
    actor = getattr(by, "username", "") or str(by)
    for notice in Notice.objects.filter(pk__in=list(withhold)).order_by("pk"):
        reason = withhold[notice.pk]
        notice.state = Notice.State.WITHHELD
        notice.last_error = (f"withheld at the repair by {actor}" + (f": {reason}" if reason else ""))[:2000]
        notice.save(update_fields=["state", "last_error"])
        audit(notice, "groups.notice.withheld", by=by, channel=channel.pk, post=notice.post_id, reason=reason)
    audit(channel, "groups.channel.repaired", by=by, chat_id=channel.chat_id, released=len(send),
          withheld=sorted(withhold))
    outbox.queue_on_commit(send)
    return channel


@transaction.atomic
def channel_migrate(*, channel: Channel, new_chat_id: int) -> None:
    """The Telegram group became a supergroup: keep sending to its new id."""
    old = Channel.objects.select_for_update().get(pk=channel.pk).chat_id
    if old == new_chat_id:
        return
    Channel.objects.filter(pk=channel.pk).update(chat_id=new_chat_id)
    Notice.objects.filter(channel=channel, chat_id=old).exclude(state=Notice.State.SENT).update(chat_id=new_chat_id)
    audit(channel, "groups.channel.migrated", old_chat_id=old, new_chat_id=new_chat_id)


# --- members --------------------------------------------------------------------


@transaction.atomic
def extra_member_add(*, group: ChatGroup, official: Official, reason: str, by) -> ExtraMember:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this person is a member.")})
    try:
        with transaction.atomic():
            extra = ExtraMember.objects.create(group=group, official=official, reason=reason, added_by=by)
    except IntegrityError:
        raise ValidationError({"official": _("This person is already an extra member.")}) from None
    audit(group, "groups.member.added", by=by, official=official.pk, reason=reason)
    return extra


@transaction.atomic
def extra_member_remove(*, group: ChatGroup, official: Official, by) -> bool:
    deleted, _n = ExtraMember.objects.filter(group=group, official=official).delete()
    if deleted:
        audit(group, "groups.member.removed", by=by, official=official.pk)
    return bool(deleted)


# --- posts (A.2, A.4) -----------------------------------------------------------------


def post_text(post: Post) -> str:
    return outbox.render_notice("post.published", {"post": post})


def _publish_notices(post: Post) -> None:
    text = post_text(post)
    wants_pdf = post.category == Post.Category.MISSION_ORDER
    for channel in post.group.channels.all():  # a broken channel keeps the post for its repair (paused)
        outbox.to_channel(
            channel, key=f"post:{post.pk}:ch{channel.pk}", kind="post.published", text=text, subject=post.title,
            post=post, order=post.order if wants_pdf else None, document=post.document if wants_pdf else None,
        )


MEETING_FIELDS = ("meeting_date", "meeting_time", "meeting_place")


@transaction.atomic
def post_create(*, by, group: ChatGroup, category: str, title: str, body_km: str, meeting_date=None,
                meeting_time=None, meeting_place: str = "", agenda: str = "", attachment=None) -> Post:
    """A member proposes a post; it waits for a moderator (A.4)."""
    me = official_of(by)
    if me is None:
        raise TransitionRefused(_("Your login is not linked to an official; ask the administrator."))
    if not (is_member(group, me) or may_moderate(group, me)):
        raise TransitionRefused(_("Only members of this group may post in it."))
    title, meeting_place = limits.one_line(title), limits.one_line(meeting_place)  # the title is an e-mail subject
    attachment_type = _check_post(category, title, body_km, meeting_date, meeting_time, meeting_place, agenda,
                                  attachment)
    post = Post(group=group, category=category, title=title.strip(), body_km=body_km.strip(), author=me,
                agenda=(agenda or "").strip())
    if category == Post.Category.MEETING:
        post.meeting_date, post.meeting_time, post.meeting_place = meeting_date, meeting_time, meeting_place.strip()
    if attachment:
        post.attachment, post.attachment_type = attachment, attachment_type
        post.attachment_name = getattr(attachment, "name", "")[:200]
    post.save()
    audit(post, "groups.post.created", by=by, group=group.pk, category=category)
    return post


@transaction.atomic
def post_resubmit(*, post: Post, by, category: str, title: str, body_km: str, meeting_date=None,
                  meeting_time=None, meeting_place: str = "", agenda: str = "", attachment=None) -> Post:
    """The author changes a rejected post and sends it to the moderators again; the earlier reason stays in
    the audit trail.  An attachment left empty keeps the one already there."""
    locked = Post.objects.select_for_update(of=("self",)).select_related("group").get(pk=post.pk)
    me = official_of(by)
    if me is None or locked.author_id != me.pk:
        raise TransitionRefused(_("Only the author of a post may change it."))
    if locked.state != Post.State.REJECTED:
        raise TransitionRefused(_("Only a rejected post can be changed and sent again (this one is %(state)s).")
                            % {"state": locked.get_state_display()})
    title, meeting_place = limits.one_line(title), limits.one_line(meeting_place)  # the title is an e-mail subject
    attachment_type = _check_post(category, title, body_km, meeting_date, meeting_time, meeting_place, agenda,
                                  attachment)
    previous_reason = locked.reason
    locked.category, locked.title, locked.body_km = category, title.strip(), body_km.strip()
    locked.agenda = (agenda or "").strip()
    meeting = category == Post.Category.MEETING
    locked.meeting_date = meeting_date if meeting else None
    locked.meeting_time = meeting_time if meeting else None
    locked.meeting_place = (meeting_place or "").strip() if meeting else ""
    if attachment:
        locked.attachment, locked.attachment_type = attachment, attachment_type
        locked.attachment_name = getattr(attachment, "name", "")[:200]
    locked.state, locked.moderated_by, locked.moderated_at, locked.reason = Post.State.PENDING, None, None, ""
    locked.save()
    audit(locked, "groups.post.resubmitted", by=by, group=locked.group_id, previous_reason=previous_reason)
    return locked


def _check_post(category, title, body_km, meeting_date, meeting_time, meeting_place, agenda, attachment) -> str:
    """Raise ``ValidationError`` with every problem of a post's fields (``title`` and ``meeting_place`` already
    made one line by the caller); the attachment's checked type."""
    errors = {}
    limits.check_length(errors, "title", title, limits.POST_TITLE)
    limits.check_length(errors, "body_km", (body_km or "").strip(), limits.POST_BODY)
    limits.check_length(errors, "agenda", (agenda or "").strip(), limits.AGENDA)
    limits.check_length(errors, "meeting_place", meeting_place, limits.MEETING_PLACE)
    allowed = [c for c in Post.Category.values if c != Post.Category.MISSION_ORDER]
    if not category:
        errors["category"] = _("Choose what the post is (A.4): meeting, action plan or announcement within the remit.")
    elif category not in allowed:
        errors["category"] = _("Mission orders are posted by the portal when they are issued.")
    if not (title or "").strip():
        errors["title"] = _("Give the post a title.")
    if not (body_km or "").strip():
        errors["body_km"] = _("Write the text in Khmer.")
    if category == Post.Category.MEETING:
        if not meeting_date or not meeting_time or not (meeting_place or "").strip():
            errors["meeting_date"] = _("A meeting invitation needs its date, time and place.")
    attachment_type = ""
    if attachment:
        try:
            attachment_type = check_upload(attachment)
        except ValidationError as exc:
            errors["attachment"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    return attachment_type


def _moderate(post: Post, by) -> tuple[Post, Official]:
    locked = Post.objects.select_for_update(of=("self",)).select_related("group").get(pk=post.pk)
    me = official_of(by)
    if not may_moderate(locked.group, me):
        if locked.group.is_leadership:
            raise TransitionRefused(_("Only the Cabinet's moderators approve posts in the leadership group."))
        raise TransitionRefused(_("Only a moderator of this group may do that."))
    if locked.state != Post.State.PENDING:
        raise TransitionRefused(_("This post was already moderated (%(state)s).") % {"state": locked.get_state_display()})
    if locked.author_id is not None and locked.author_id == me.pk:
        raise TransitionRefused(_("A post is moderated by someone other than its author (A.4): another moderator "
                              "of the group decides."))
    return locked, me


@transaction.atomic
def post_approve(*, post: Post, by) -> Post:
    post, me = _moderate(post, by)
    now = timezone.now()
    post.state, post.moderated_by, post.moderated_at, post.published_at = Post.State.PUBLISHED, me, now, now
    post.save(update_fields=["state", "moderated_by", "moderated_at", "published_at"])
    _publish_notices(post)
    audit(post, "groups.post.approved", by=by)
    return post


@transaction.atomic
def post_reject(*, post: Post, by, reason: str) -> Post:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    limits.require_length("reason", reason, limits.REASON)
    post, me = _moderate(post, by)
    post.state, post.moderated_by, post.moderated_at, post.reason = Post.State.REJECTED, me, timezone.now(), reason
    post.save(update_fields=["state", "moderated_by", "moderated_at", "reason"])
    if post.author_id:
        outbox.to_official(post.author, key=f"post.rejected:{post.pk}:{post.author_id}", kind="post.rejected",
                           context={"post": post}, subject=post.title, post=post)
    audit(post, "groups.post.rejected", by=by, reason=reason)
    return post


@transaction.atomic
def post_forward(*, post: Post, by) -> Post:
    """A head of unit passes a published leadership post on to their unit's group (A.3)."""
    original = Post.objects.select_for_update(of=("self",)).select_related("group", "order").get(pk=post.pk)
    me = official_of(by)
    if not is_member(original.group, me):
        raise TransitionRefused(_("Only a member of the group a post was published in may forward it."))
    if original.order is not None and original.order.state in (OrderState.REVOKED, OrderState.CANCELLED):
        raise TransitionRefused(_("The mission order of this post was revoked or cancelled; it is not forwarded."))
    if not original.group.is_leadership or original.state != Post.State.PUBLISHED:
        raise TransitionRefused(_("Only published posts of the leadership group can be forwarded."))
    target = heads_group(me)
    if target is None:
        raise TransitionRefused(_("Only the head of a unit that has a group can forward to it."))
    if Post.objects.filter(forwarded_from=original, group=target).exists():
        raise TransitionRefused(_("This post was already forwarded to %(group)s.") % {"group": target})
    now = timezone.now()
    copy = Post.objects.create(
        group=target, category=original.category, title=original.title, body_km=original.body_km,
        meeting_date=original.meeting_date, meeting_time=original.meeting_time,
        meeting_place=original.meeting_place, agenda=original.agenda, order=original.order,
        document=original.document, attachment=original.attachment, attachment_type=original.attachment_type,
        attachment_name=original.attachment_name, author=me, state=Post.State.PUBLISHED, moderated_by=me,
        moderated_at=now, published_at=now, forwarded_from=original,
    )
    _publish_notices(copy)
    audit(copy, "groups.post.forwarded", by=by, original=original.pk, group=target.pk)
    return copy


@transaction.atomic
def post_publish_order(*, order_id: int, document_id: int | None = None, by=None) -> Post | None:
    """An issued mission order is posted to the leadership group (A.2) with its PDF (sent once ready).

    Asked for by ``missions.services.order_issue`` on its commit (through ``common.queue``), with the clerk who
    issued it as the actor. Once per order; nothing when there is no leadership group or when the order is no
    longer issued by then (revoked in between)."""
    group = leadership_group()
    if group is None:
        return None
    order = MissionOrder.objects.select_for_update(of=("self",)).select_related("issuing_unit").get(pk=order_id)
    if order.state != State.ISSUED:
        return None
    if Post.objects.filter(order=order, group=group, category=Post.Category.MISSION_ORDER).exists():
        return None
    document = OrderDocument.objects.filter(pk=document_id, order=order).first() if document_id else None
    now = timezone.now()
    with translation.override("km"):
        title = order.display_number[:200]
    post = Post.objects.create(
        group=group, category=Post.Category.MISSION_ORDER, title=title, body_km=order.purpose_km, order=order,
        document=document, state=Post.State.PUBLISHED, published_at=now,
    )
    _publish_notices(post)
    audit(post, "groups.post.order_published", by=by, order=order.pk)
    return post


ORDER_POST_GRACE = timedelta(minutes=5)
"""How long the job on an issue's commit has to post the order before the sweeper takes over."""
ORDER_POST_WINDOW = timedelta(days=2)
"""How far back the sweeper looks: an order issued longer ago than this is not posted late."""


def orders_post_missing(*, now=None, limit: int = 100) -> int:
    """Post the issued orders whose post to the leadership group never came (A.2).

    ``post_publish_order`` runs on the commit of the issue, in the process that issued it; if it fails there
    (the database went away, the process was stopped) the order is issued without its post, and only a log line
    says so. Run by beat, this posts each such order once (``post_publish_order`` refuses a second post), with
    the issued version of its PDF: orders issued after the group was made, within ``ORDER_POST_WINDOW``, at least
    ``ORDER_POST_GRACE`` ago, and still issued. The actor is the clerk who issued the order. Returns how many
    were posted."""
    group = leadership_group()
    if group is None:
        return 0
    now = now or timezone.now()
    posted = Post.objects.filter(group=group, category=Post.Category.MISSION_ORDER, order__isnull=False)
    missing = (
        MissionOrder.objects.filter(state=State.ISSUED, issued_at__gte=max(group.created, now - ORDER_POST_WINDOW),
                                    issued_at__lte=now - ORDER_POST_GRACE)
        .exclude(pk__in=posted.values("order_id"))
        .order_by("issued_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    count = 0
    for order_id in list(missing):
        document_id = (
            OrderDocument.objects.filter(order_id=order_id, reason=OrderDocument.Reason.ISSUED, language="km")
            .order_by("version").values_list("pk", flat=True).first()
        )
        issue = (
            OrderLog.objects.filter(order_id=order_id, action="issue").select_related("actor")
            .order_by("-created", "-pk").first()
        )
        if post_publish_order(order_id=order_id, document_id=document_id, by=issue and issue.actor) is not None:
            count += 1
    return count


# --- Telegram links ------------------------------------------------------------------


@transaction.atomic
def link_token_create(*, official: Official, by=None) -> LinkToken:
    now = timezone.now()
    LinkToken.objects.filter(official=official, used_at__isnull=True).update(expires_at=now)
    token = LinkToken.objects.create(official=official, expires_at=now + LINK_TOKEN_LIFETIME)
    audit(official, "groups.telegram.link_requested", by=by)
    return token


@transaction.atomic
def telegram_link(*, token: str, telegram_user_id: int, chat_id: int, username: str = "") -> TelegramAccount:
    """Use a one-time deep-link token; refuses an expired or used token."""
    now = timezone.now()
    claimed = LinkToken.objects.filter(token=token, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    if claimed != 1:
        raise TransitionRefused(_("This link has expired or was already used. Open the portal and ask for a new one."))
    link = LinkToken.objects.select_related("official").get(token=token)
    official = link.official
    if not official.active:
        raise TransitionRefused(_("This official is no longer active."))
    TelegramAccount.objects.filter(telegram_user_id=telegram_user_id).exclude(official=official).delete()
    account, _created = TelegramAccount.objects.update_or_create(
        official=official,
        defaults={"telegram_user_id": telegram_user_id, "chat_id": chat_id, "username": username[:64],
                  "linked_at": now, "broken_at": None, "broken_reason": ""},
    )
    audit(official, "groups.telegram.linked", by=official.user, telegram_user_id=telegram_user_id)
    return account


@transaction.atomic
def telegram_unlink(*, official: Official | None = None, telegram_user_id: int | None = None, by=None) -> bool:
    qs = TelegramAccount.objects.all()
    if official is not None:
        qs = qs.filter(official=official)
    elif telegram_user_id is not None:
        qs = qs.filter(telegram_user_id=telegram_user_id)
    else:
        return False
    account = qs.select_related("official").first()
    if account is None:
        return False
    who = account.official
    account.delete()
    audit(who, "groups.telegram.unlinked", by=by, telegram_user_id=account.telegram_user_id)
    return True


@transaction.atomic
def telegram_link_broken(*, account: TelegramAccount, reason: str) -> bool:
    """Telegram refuses the person's private chat (bot blocked): stop using it, and ask them to link again.

    False if the link was already marked broken.  Their notices go by e-mail (``outbox.to_official`` skips a
    broken link); the portal's Telegram page asks them to link again.
    """
    changed = TelegramAccount.objects.filter(pk=account.pk, broken_at__isnull=True).update(
        broken_at=timezone.now(), broken_reason=reason[:300])
    if changed != 1:
        return False
    official = account.official
    audit(official, "groups.telegram.refused", reason=reason[:300], telegram_user_id=account.telegram_user_id)
    outbox.to_official(official, key=f"telegram.unlinked:{account.pk}:{int(timezone.now().timestamp())}",
                       kind="telegram.unlinked", subject="Link Telegram again / ភ្ជាប់ Telegram ម្តងទៀត",
                       context={"link_url": outbox.site_url(reverse("groups:telegram"))})
    return True


def is_notice_administrator(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or has_role(user, Role.ADMINISTRATOR)))


def notice_retry(*, notice_ids, by) -> int:
    """Send notices again (failed, dead, held or waiting), as a fresh start of their attempts.  Administrators only.

    Each retried notice is audited with the actor.  A notice already sent or being sent is left alone.
    """
    if not is_notice_administrator(by):
        raise PermissionDenied(_("Only an administrator can send notices again."))
    with transaction.atomic():
        rows = Notice.objects.select_for_update().filter(
            pk__in=list(notice_ids),
            state__in=[Notice.State.FAILED, Notice.State.DEAD, Notice.State.HELD, Notice.State.PENDING],
        ).order_by("pk")
        ids = []
        for notice in rows:
            audit(notice, "groups.notice.retried", by=by, state=notice.state, attempts=notice.attempts,
                  last_error=notice.last_error[:300])
            ids.append(notice.pk)
        Notice.objects.filter(pk__in=ids).update(state=Notice.State.PENDING, attempts=0,
                                                 next_attempt_at=timezone.now(), claimed_at=None)
        outbox.queue_on_commit(ids)
    return len(ids)
# --- the returns office's daily digest -----------------------------------------------


@transaction.atomic
def returns_digest_send(*, today=None) -> int:
    """Tell every returns clerk, once a day, how many returns wait for a check and how many are overdue
    (their inbox, then Telegram or e-mail). Idempotent per clerk and day; nothing is sent when both are 0."""
    today = today or timezone.localdate()
    to_check = MissionOrder.objects.filter(state=State.RETURNED).count()
    overdue = MissionOrder.objects.filter(state__in=[State.ISSUED, State.SENT_BACK],
                                          overdue_since__isnull=False).count()
    if not (to_check or overdue):
        return 0
    context = {"to_check": to_check, "overdue": overdue, "to_check_km": to_khmer_digits(to_check),
               "overdue_km": to_khmer_digits(overdue)}
    told = 0
    for clerk in returns_clerks():
        tell(clerk, key=f"returns.digest:{today}:{clerk.pk}", kind="returns.digest", context=context,
             url=reverse("missions:returns"), subject="")
        told += 1
    return told
