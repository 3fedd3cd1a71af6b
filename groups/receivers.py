"""Mission events → notices in the outbox, written inside the event's transaction."""

import hmac

from django.core import signing
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from common.language import both_languages
from inbox import services as inbox
from ministry.models import Official
from ministry.offices import issuing_clerks, returns_clerks
from missions import events
from missions.events import delegation_ended, document_ready, mission_event
from common import queue

from . import outbox
from .models import Notice, Post

CALLBACK_SALT = "groups.telegram.callback"



def sign_callback(action: str, order_id: int) -> str:
    """Short signed callback data ("a:<id>:<sig>"), well under Telegram's 64 bytes."""
    value = f"{action}:{order_id}"
    sig = signing.Signer(salt=CALLBACK_SALT).signature(value)[:16]
    return f"{value}:{sig}"


def unsign_callback(data: str) -> tuple[str, int] | None:
    try:
        action, order_id, sig = (data or "").split(":")
    except ValueError:
        return None
    expected = signing.Signer(salt=CALLBACK_SALT).signature(f"{action}:{order_id}")[:16]

    if not hmac.compare_digest(expected, sig) or action not in ("a", "r") or not order_id.isdigit():
        return None
    return action, int(order_id)


def approval_buttons(order) -> dict:
    return {
        "inline_keyboard": [[
            {"text": "✅ " + both_languages(gettext_lazy("Approve")), "callback_data": sign_callback("a", order.pk)},
            {"text": "❌ " + both_languages(gettext_lazy("Reject")), "callback_data": sign_callback("r", order.pk)},
        ]]
    }


def _event_stamp(order) -> int:
    last = order.log.order_by("-id").values_list("id", flat=True).first()
    return last or 0




def _order_url(order) -> str:
    return reverse("missions:detail", args=[order.pk])


def tell(official, *, key: str, kind: str, context: dict, url: str = "", **outbox_kwargs):
    """One notice to one person: always into their portal inbox, then on to Telegram or e-mail where linked."""
    text = outbox.render_notice(kind, {**context, "recipient": official})
    inbox.notify(official, kind=kind, text=text, url=url, key=key)
    return outbox.to_official(official, key=key, kind=kind, context=context, **outbox_kwargs)


def recipients(order, event, *, previous=None) -> list:
    """Who is told of ``event`` on ``order`` (Instruction 996 and the Ministry's practice), each once."""
    travellers = [t.official for t in order.travellers.select_related("official")]
    requester = [order.requested_by] if order.requested_by_id else []
    issuer = list(issuing_clerks(order.issuing_unit))
    people = {
        # The approver of a submitted or reassigned request is told with the Approve/Reject buttons (below).
        events.REASSIGNED: [previous] if previous is not None else [],
        events.APPROVED: travellers + requester + issuer,
        events.REJECTED: requester + travellers,
        events.ISSUED: travellers,
        events.REVOKED: travellers + requester + issuer,
        events.CANCELLED: travellers + requester + (issuer if order.approved_by_id else []),
        events.RETURNED: list(returns_clerks()),
        events.SENT_BACK: travellers + requester,
        events.ACCEPTED: travellers + requester,
        events.OVERDUE: travellers,
        events.OVERDUE_ESCALATED: _heads_of(order),
    }.get(event, [])
    seen, out = set(), []
    for person in people:
        if person is not None and person.pk not in seen:
            seen.add(person.pk)
            out.append(person)
    return out


def _heads_of(order):
    return list(Official.objects.filter(unit=order.requesting_unit, active=True, position__heads_unit=True))


@receiver(mission_event, dispatch_uid="groups.mission_notices")
def mission_notices(sender, order, event, actor=None, note="", previous=None, document=None, **kwargs):
    stamp = _event_stamp(order)
    kind = f"order.{event}"
    context = {"order": order, "note": note, "previous": previous}
    base = f"{kind}:{order.pk}:{stamp}"
    with translation.override("km"):  # Khmer first, whatever the language of whoever caused the event
        subject = str(order)
    url = _order_url(order)
    for person in recipients(order, event, previous=previous):
        # An issued order's notice carries its PDF (rendered after commit): it is sent once the document is ready.
        tell(person, key=f"{base}:off{person.pk}", kind=kind, context=context, url=url, subject=subject,
             order=order, document=document)
    if event in (events.SUBMITTED, events.REASSIGNED) and order.approver_id:
        tell(order.approver, key=f"order.submitted:{order.pk}:{stamp}:off{order.approver_id}",
             kind="order.submitted", context=context, url=url, subject=subject,
             reply_markup=approval_buttons(order), order=order)
    if event in (events.REVOKED, events.CANCELLED):
        _withdraw(order, revoked=event == events.REVOKED)


def _withdraw(order, *, revoked: bool):
    """A revoked or cancelled order: its group posts are withdrawn (no longer shown nor forwarded), no notice
    still waiting to go out sends the issued order or its stale PDF, and the group messages that carried it are
    deleted from their Telegram chats (or marked, where Telegram no longer allows deleting)."""
    Post.objects.filter(order=order, state=Post.State.PUBLISHED).update(state=Post.State.WITHDRAWN)
    waiting = [Notice.State.PENDING, Notice.State.FAILED, Notice.State.HELD, Notice.State.PAUSED]
    Notice.objects.filter(state__in=waiting).filter(
        Q(order=order, document__isnull=False) | Q(post__order=order)).update(
        state=Notice.State.DEAD, last_error="withdrawn: the order was revoked or cancelled")
    carried = Notice.objects.filter(post__order=order, transport=Notice.Transport.TELEGRAM, channel__isnull=False,
                                    state__in=[Notice.State.SENT, Notice.State.SENDING]).select_related("channel")
    for original in carried.order_by("pk"):
        outbox.withdraw_from_channel(original, order=order, revoked=revoked)


@receiver(document_ready, dispatch_uid="groups.document_ready")
def document_ready_release(sender, document, **kwargs):
    """A PDF was stored: once that commits, the notices waiting for it are sent (no polling)."""
    queue.after_commit("groups.release_waiting", document.pk)


@receiver(delegation_ended, dispatch_uid="groups.delegation_ended")
def delegation_ended_notice(sender, delegation, actor=None, **kwargs):
    tell(delegation.acting, key=f"delegation.ended:{delegation.leader_id}:{delegation.acting_id}:"
                                f"{delegation.starts_on}:{delegation.ends_on}",
         kind="delegation.ended", context={"delegation": delegation}, url=reverse("missions:delegations"),
         subject="")
