"""The one interface through which the workflow announces what happened.

``missions`` never imports ``groups``: other apps connect receivers to
``mission_event``.  Receivers run inside the transaction of the change, so a row
they write (a notice in an outbox) commits or rolls back with it; anything that
leaves the database (a message, a file) they must schedule with
``transaction.on_commit``.
"""

from django.dispatch import Signal

SUBMITTED = "submitted"
APPROVED = "approved"
REJECTED = "rejected"
CANCELLED = "cancelled"
ISSUED = "issued"
REVOKED = "revoked"
RETURNED = "returned"
SENT_BACK = "sent_back"
ACCEPTED = "accepted"
OVERDUE = "overdue"
OVERDUE_ESCALATED = "overdue_escalated"  # still not returned some days after "overdue": the head of unit is told
REASSIGNED = "reassigned"  # kwargs: previous (the leader it was waiting for)

ALL = (SUBMITTED, APPROVED, REJECTED, CANCELLED, ISSUED, REVOKED, RETURNED, SENT_BACK, ACCEPTED, OVERDUE,
       OVERDUE_ESCALATED, REASSIGNED)

# sender: MissionOrder class; kwargs: order, event, actor (user or None), note; for ISSUED also document (the
# OrderDocument requested in the same transaction, still pending: notices that carry the PDF wait for it)
mission_event = Signal()

# sender: OrderDocument class; kwargs: document.  Sent inside the transaction that stores a rendered PDF (status
# ready, file saved); receivers release what waits for it on commit.
document_ready = Signal()

# sender: ApprovalDelegation class; kwargs: delegation (its ends_on already moved), actor
delegation_ended = Signal()


def emit(order, event: str, *, actor=None, note: str = "", **extra) -> None:
    if event not in ALL:
        raise ValueError(f"unknown mission event {event!r}")
    mission_event.send(sender=type(order), order=order, event=event, actor=actor, note=note, **extra)
