"""Which office a person works for: the one rule every queue, count, notice, permission and document uses.

A clerk belongs to the issuer (Cabinet or GDAF, ``may_issue_orders``) that is their unit or the nearest unit
above it, and a returns clerk to the returns office (GDAF, ``receives_returns``) that is their unit or the
nearest above it — an office under GDAF works for GDAF.  Roles still decide *what* a person does there:
``issuing_clerk`` issues for their issuer, ``returns_clerk`` checks returns for their returns office."""

from .models import Official, Role, Unit


def issuer_of(official: Official | None) -> Unit | None:
    """The issuing unit ``official`` works for: their unit or the nearest above it that issues orders."""
    if official is None:
        return None
    return official.unit.nearest(may_issue_orders=True)


def issuers_above(official: Official) -> "Unit QuerySet":
    """The units that issue orders among ``official``'s unit and those above it: ``issuer_of`` is the nearest of
    them (``nearest_issuer_key``).  ``issuer_of`` in two halves, so that its query is read with others in one round
    trip (the admin's scope, ``missions.selectors.work_q``)."""
    return official.unit.lineage(may_issue_orders=True)


def nearest_issuer_key(official: Official, keys) -> int | None:
    """The key of ``issuer_of(official)``, from the keys ``issuers_above(official)`` reads."""
    return official.unit.nearest_key(set(keys))


def returns_office_of(official: Official | None) -> Unit | None:
    """The returns office ``official`` works for: their unit or the nearest above it that receives returns."""
    if official is None:
        return None
    return official.unit.nearest(receives_returns=True)


def _served_units(office: Unit, flag: str) -> list[int]:
    """The units whose nearest ``flag`` unit is ``office``: its subtree without the subtrees of a nearer one."""
    inner = [u.path for u in Unit.objects.filter(path__startswith=office.path, **{flag: True}).exclude(pk=office.pk)]
    rows = Unit.objects.filter(path__startswith=office.path).values_list("id", "path")
    return [pk for pk, path in rows if not any(path.startswith(p) for p in inner)]


def _holders(role: str, units) -> "Official QuerySet":
    return Official.objects.filter(active=True, unit__in=units, user__is_active=True,
                                   user__groups__name=role).distinct()


def issuing_clerks(issuer: Unit):
    """The active issuing clerks who work for ``issuer``."""
    return _holders(Role.ISSUING_CLERK, _served_units(issuer, "may_issue_orders"))


def returns_clerks(office: Unit | None = None):
    """The active returns clerks of ``office`` (default: every returns office)."""
    offices = [office] if office is not None else list(Unit.objects.filter(receives_returns=True))
    units = [pk for o in offices for pk in _served_units(o, "receives_returns")]
    return _holders(Role.RETURNS_CLERK, units)
