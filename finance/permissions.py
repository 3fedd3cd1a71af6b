"""Who sees and does what with the money, the register, the statistics and the calendar.

GDAF's finance work is done by its returns office (the returns clerks of GDAF or of a unit under it),
which already checks every return (B.3); no separate role is needed."""

from ministry.models import Role, Unit
from ministry.roles import has_role, official_of
from missions.permissions import acting_for, clerk_issuer, in_returns_office, may_approve


def is_admin(user) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def is_gdaf_finance(user) -> bool:
    return is_admin(user) or in_returns_office(user)


def may_manage_budgets(user) -> bool:
    return is_gdaf_finance(user)


def may_settle(user) -> bool:
    return in_returns_office(user)


def in_top_leadership(user) -> bool:
    """A leader of the Ministry itself or of the Cabinet (the minister, secretaries of state, the chief
    of cabinet): they see the whole Ministry's picture."""
    me = official_of(user)
    return (me is not None and me.position.in_leadership_group
            and (me.unit.parent_id is None or me.unit.kind == Unit.Kind.CABINET))


def sees_whole_ministry(user) -> bool:
    return is_gdaf_finance(user) or in_top_leadership(user)


def statistics_scope(user) -> str | None:
    """The unit path whose subtree ``user`` may see in the statistics: "" for the whole Ministry,
    a head's own subtree, or None (no access)."""
    if sees_whole_ministry(user):
        return ""
    me = official_of(user)
    if me is not None and has_role(user, Role.UNIT_HEAD):
        return me.unit.path
    return None


def register_issuers(user):
    """The issuing units whose number book ``user`` may read: all for GDAF's finance office and the
    administrator, their own issuer for an issuing clerk; empty otherwise."""
    if is_gdaf_finance(user):
        return list(Unit.objects.filter(may_issue_orders=True))
    issuer = clerk_issuer(user)
    return [issuer] if issuer is not None else []


def may_override_budget(order, user) -> bool:
    """Only the approver (or their acting leader), while the request waits for approval."""
    return order.state == "submitted" and acting_for(order, user) is not None and may_approve(order, user)


def calendar_scope(user) -> str | None:
    """The unit path whose people ``user`` may see in the "who is away" calendar: a head their subtree,
    everyone their own unit, the whole Ministry for top leadership, GDAF's finance office and the
    administrator."""
    if sees_whole_ministry(user):
        return ""
    me = official_of(user)
    if me is None:
        return None
    return me.unit.path


def may_see_leadership_calendar(user) -> bool:
    me = official_of(user)
    if is_admin(user) or in_top_leadership(user):
        return True
    if me is None:
        return False
    return me.position.in_leadership_group or clerk_issuer(user) is not None
