"""Who may move an order: one predicate per transition, shared by views, admin and bot.

Each takes ``(order, user)`` as django-fsm's ``permission=`` expects."""

from django.utils import timezone

from ministry.models import Role
from ministry.roles import has_role, official_of


def _is_traveller(order, official) -> bool:
    return order.pk is not None and order.travellers.filter(official=official).exists()


def may_submit(order, user) -> bool:
    me = official_of(user)
    if me is None:
        return False
    if order.requested_by_id == me.pk or _is_traveller(order, me):
        return True
    return has_role(user, Role.UNIT_HEAD) and order.requesting_unit.path.startswith(me.unit.path)


def acting_for(order, user):
    """The leader in whose name ``user`` may approve ``order`` (themselves or by delegation), or None."""
    from .models import ApprovalDelegation

    me = official_of(user)
    if me is None or order.approver_id is None or not has_role(user, Role.APPROVER):
        return None
    if order.approver_id == me.pk:
        return me
    today = timezone.localdate()
    delegation = (
        ApprovalDelegation.objects.select_related("leader")
        .filter(leader_id=order.approver_id, acting=me, starts_on__lte=today, ends_on__gte=today)
        .first()
    )
    return delegation.leader if delegation else None


def may_approve(order, user) -> bool:
    me = official_of(user)
    if me is None or acting_for(order, user) is None:
        return False
    # Nobody approves their own request, nor a mission they travel on.
    return order.requested_by_id != me.pk and not _is_traveller(order, me)


def may_cancel(order, user) -> bool:
    me = official_of(user)
    if me is None:
        return False
    if order.requested_by_id == me.pk:
        return True
    return may_issue(order, user)


def clerk_issuer(user):
    """The issuing unit (Cabinet or GDAF) an issuing clerk works for: their unit or the nearest above it."""
    me = official_of(user)
    if me is None or not has_role(user, Role.ISSUING_CLERK):
        return None
    if not hasattr(user, "_portal_issuer"):
        user._portal_issuer = me.unit.nearest(may_issue_orders=True)
    return user._portal_issuer


def in_returns_office(user) -> bool:
    """A returns clerk of GDAF (or of a unit under it) — B.3."""
    me = official_of(user)
    if me is None or not has_role(user, Role.RETURNS_CLERK):
        return False
    if not hasattr(user, "_portal_returns"):
        user._portal_returns = me.unit.nearest(receives_returns=True) is not None
    return user._portal_returns


def may_issue(order, user) -> bool:
    issuer = clerk_issuer(user)
    return issuer is not None and issuer.pk == order.issuing_unit_id


def may_file_return(order, user) -> bool:
    me = official_of(user)
    return me is not None and _is_traveller(order, me)


def may_check_return(order, user) -> bool:
    return in_returns_office(user)
