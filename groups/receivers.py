"""Mission events → notices in the outbox, written inside the event's transaction."""

from django.core import signing
from django.dispatch import receiver

from ministry.offices import returns_clerks
from missions import events
from missions.events import mission_event

from . import outbox
from .selectors import leadership_group

CALLBACK_SALT = "groups.telegram.callback"

TRAVELLER_EVENTS = {events.APPROVED, events.ISSUED, events.SENT_BACK, events.OVERDUE}


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
    import hmac

    if not hmac.compare_digest(expected, sig) or action not in ("a", "r") or not order_id.isdigit():
        return None
    return action, int(order_id)


def approval_buttons(order) -> dict:
    return {
        "inline_keyboard": [[
            {"text": "✅ អនុម័ត / Approve", "callback_data": sign_callback("a", order.pk)},
            {"text": "❌ បដិសេធ / Reject", "callback_data": sign_callback("r", order.pk)},
        ]]
    }


def _event_stamp(order) -> int:
    last = order.log.order_by("-id").values_list("id", flat=True).first()
    return last or 0


def _returns_clerks():
    return returns_clerks()


@receiver(mission_event, dispatch_uid="groups.mission_notices")
def mission_notices(sender, order, event, actor=None, note="", **kwargs):
    stamp = _event_stamp(order)
    kind = f"order.{event}"
    context = {"order": order, "note": note}
    base = f"{kind}:{order.pk}:{stamp}"
    if event in TRAVELLER_EVENTS:
        for traveller in order.travellers.select_related("official"):
            # For "issued" the PDF is rendered after commit: the sender waits for the ready document.
            outbox.to_official(traveller.official, key=f"{base}:off{traveller.official_id}", kind=kind,
                               context=context, subject=str(order), order=order)
    elif event == events.SUBMITTED and order.approver_id:
        outbox.to_official(order.approver, key=f"{base}:off{order.approver_id}", kind=kind, context=context,
                           subject=str(order), reply_markup=approval_buttons(order), order=order)
    elif event == events.RETURNED:
        for clerk in _returns_clerks():
            outbox.to_official(clerk, key=f"{base}:off{clerk.pk}", kind=kind, context=context, subject=str(order),
                               order=order)
    elif event == events.REJECTED and order.requested_by_id:
        outbox.to_official(order.requested_by, key=f"{base}:off{order.requested_by_id}", kind=kind,
                           context=context, subject=str(order), order=order)
    if event == events.ISSUED:
        group = leadership_group()
        if group is not None:
            from .services import post_publish_order

            post_publish_order(order=order, group=group)
