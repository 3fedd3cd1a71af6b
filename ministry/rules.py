import rules

from .models import Role
from .roles import has_role, official_of


@rules.predicate
def is_administrator(user):
    return has_role(user, Role.ADMINISTRATOR)


@rules.predicate
def is_unit_head(user):
    return has_role(user, Role.UNIT_HEAD)


@rules.predicate
def in_units_subtree(user, unit):
    """A head of unit sees their unit's subtree; everyone else their own unit."""
    me = official_of(user)
    if me is None or unit is None:
        return False
    if has_role(user, Role.UNIT_HEAD):
        return unit.path.startswith(me.unit.path)
    return unit.pk == me.unit_id


rules.add_perm("ministry.view_unit_people", is_administrator | in_units_subtree)
rules.add_perm("ministry.import_organisation", is_administrator)
rules.add_perm("ministry.export_organisation", is_administrator)
