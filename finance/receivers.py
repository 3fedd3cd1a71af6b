"""The budget and the statistics follow the workflow.

Runs inside the transaction of the change (``missions.events``): a refusal here (over budget without
the approver's override) rolls the approval back and reaches the user as its message."""

from django.dispatch import receiver

from missions import events
from missions.events import mission_event

from . import services

FACT_EVENTS = {events.ISSUED, events.REVOKED, events.RETURNED, events.SENT_BACK, events.ACCEPTED, events.OVERDUE}


@receiver(mission_event, dispatch_uid="finance.budget")
def on_mission_event(sender, order, event, actor=None, note="", **kwargs):
    if event == events.APPROVED:
        services.commit_on_approval(order, actor)
    elif event in (events.CANCELLED, events.REVOKED, events.REJECTED):
        services.release(order, actor)
    if event in FACT_EVENTS:
        services.fact_write(order)
