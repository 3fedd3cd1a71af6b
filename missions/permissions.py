"""Who may move an order: one predicate per transition, shared by views, admin and bot.

Each takes ``(order, user)`` as django-fsm's ``permission=`` expects."""

from django.utils import timezone

from ministry.models import Role
from ministry.offices import issuer_of, returns_office_of
from ministry.roles import has_role, official_of


def _is_traveller(order, official) -> bool:
    # ``_traveller_ids``: the travellers' keys, when the page showing the order has just read them.
    known = order.__dict__.get("_traveller_ids")
    if known is not None:
        return official.pk in known
    return order.pk is not None and order.travellers.filter(official=official).exists()


def _involved(order, official) -> bool:
    """Whether ``official`` asked for or travels on ``order``: then they never approve, issue or check it."""
    return order.requested_by_id == official.pk or _is_traveller(order, official)


def may_submit(order, user) -> bool:
    me = official_of(user)
    if me is None:
        return False
    if order.requested_by_id == me.pk or _is_traveller(order, me):
        return True
    return has_role(user, Role.UNIT_HEAD) and order.requesting_unit.path.startswith(me.unit.path)


def acting_for(order, user):
    """The leader in whose name ``user`` may approve ``order`` (themselves or by delegation), or None."""
    me = official_of(user)
    if me is None or order.approver_id is None or not has_role(user, Role.APPROVER):
        return None
    if order.approver_id == me.pk:
        return me
    today = timezone.localdate()
    delegation = (
        me.delegations_received.select_related("leader")
        .filter(leader_id=order.approver_id, starts_on__lte=today, ends_on__gte=today)
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
    # The issuing office sees a request once it is approved (least privilege), and may cancel it then.
    return order.state == "approved" and may_issue(order, user)


def clerk_issuer(user):
    """The issuing unit (Cabinet or GDAF) an issuing clerk works for (``ministry.offices.issuer_of``)."""
    me = official_of(user)
    if me is None or not has_role(user, Role.ISSUING_CLERK):
        return None
    if not hasattr(user, "_portal_issuer"):
        user._portal_issuer = issuer_of(me)
    return user._portal_issuer


def clerk_returns_office(user):
    """The returns office (GDAF) a returns clerk works for (``ministry.offices.returns_office_of``) — B.3."""
    me = official_of(user)
    if me is None or not has_role(user, Role.RETURNS_CLERK):
        return None
    if not hasattr(user, "_portal_returns"):
        user._portal_returns = returns_office_of(me)
    return user._portal_returns


def in_returns_office(user) -> bool:
    return clerk_returns_office(user) is not None


def works_for_issuer(order, user) -> bool:
    """An issuing clerk of the order's issuer (their unit or the nearest above it), whatever the order's state."""
    issuer = clerk_issuer(user)
    return issuer is not None and issuer.pk == order.issuing_unit_id


def may_issue(order, user) -> bool:
    """An issuing clerk of the order's issuer who neither asked for it nor travels on it."""
    return works_for_issuer(order, user) and not _involved(order, official_of(user))


def may_file_return(order, user) -> bool:
    """A traveller, the requester, or a returns clerk recording a return brought on paper."""
    me = official_of(user)
    if me is None:
        return False
    return _involved(order, me) or in_returns_office(user)


def may_check_return(order, user) -> bool:
    """A returns clerk who neither filed the return, nor asked for the mission, nor travelled on it."""
    me = official_of(user)
    if me is None or not in_returns_office(user):
        return False
    return order.returned_by_id != user.pk and not _involved(order, me)


def may_rerender(order, user) -> bool:
    """A new version of the PDF: the issuing unit's clerks (``works_for_issuer``), once the order has its number."""
    return order.number is not None and works_for_issuer(order, user)
