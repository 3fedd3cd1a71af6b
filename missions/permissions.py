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


def may_issue(order, user) -> bool:
    me = official_of(user)
    return bool(
        me is not None
        and has_role(user, Role.ISSUING_CLERK)
        and me.unit.may_issue_orders
        and me.unit_id == order.issuing_unit_id
    )


def may_file_return(order, user) -> bool:
    me = official_of(user)
    return me is not None and _is_traveller(order, me)


def may_check_return(order, user) -> bool:
    me = official_of(user)
    return bool(me is not None and has_role(user, Role.RETURNS_CLERK) and me.unit.receives_returns)
