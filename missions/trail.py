"""The one door to the audit trail for a change of an order.

``record`` writes the order's timeline row (``OrderLog``, shown on the order page) and the ministry's audit
entry (``ministry.AuditEntry``, the trail of every change in the portal, action ``missions.order.<action>``)
in the caller's transaction, with the same actor and the same typed data.  Services call it; nothing else
writes an ``OrderLog``.
"""

from ministry.audit import audit

from .models import OrderLog


def record(order, action: str, *, by=None, from_state: str = "", to_state: str = "", acting_for=None,
           note: str = "", **data) -> OrderLog:
    """One change of ``order``; ``data`` holds the keys ``OrderLog.DATA`` names for ``action``."""
    expected = OrderLog.DATA.get(action, ())
    unknown = set(data) - set(expected)
    if unknown:
        raise ValueError(f"order log {action!r}: unexpected data {sorted(unknown)}")
    actor = by if (by is not None and getattr(by, "pk", None)) else None
    entry = OrderLog.objects.create(order=order, action=action, from_state=from_state, to_state=to_state,
                                    actor=actor, acting_for=acting_for, note=note, data=data)
    extra = {k: v for k, v in (("from_state", from_state), ("to_state", to_state), ("note", note)) if v}
    if acting_for is not None:
        extra["acting_for"] = acting_for.pk
    audit(order, f"missions.order.{action}", by=actor, **extra, **data)
    return entry
