"""Reads: which orders a user may see, and the queues each role works in."""

from django.db.models import Q
from django.utils import timezone

from ministry.models import Role
from ministry.roles import has_role, official_of

from .models import ApprovalDelegation, MissionOrder, State, Traveller


def orders_visible_q(user) -> Q:
    """Which orders ``user`` may see: their own and their unit's; a head their subtree;
    clerks their issuer's work; GDAF's returns clerks every issued order; leaders what
    they are asked to approve."""
    me = official_of(user)
    if has_role(user, Role.ADMINISTRATOR):
        return Q()
    if me is None:
        return Q(pk__in=[])
    q = Q(requested_by=me) | Q(pk__in=Traveller.objects.filter(official=me).values("order_id")) | Q(requesting_unit=me.unit)
    if has_role(user, Role.UNIT_HEAD):
        q |= Q(requesting_unit__path__startswith=me.unit.path)
    if has_role(user, Role.ISSUING_CLERK) and me.unit.may_issue_orders:
        q |= Q(issuing_unit=me.unit)
    if has_role(user, Role.RETURNS_CLERK) and me.unit.receives_returns:
        q |= Q(issued_at__isnull=False)
    if has_role(user, Role.APPROVER):
        today = timezone.localdate()
        leaders = ApprovalDelegation.objects.filter(acting=me, starts_on__lte=today, ends_on__gte=today).values("leader")
        q |= Q(approver=me) | Q(approver__in=leaders)
    return q


def orders_for(user):
    return MissionOrder.objects.filter(orders_visible_q(user))


def order_for(user, pk):
    """The order if ``user`` may see it, else None (the view answers 404)."""
    return (
        orders_for(user)
        .select_related("issuing_unit", "requesting_unit", "requested_by", "approver", "approval_leader", "signer")
        .filter(pk=pk)
        .first()
    )
