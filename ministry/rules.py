"""Permissions checked with ``user.has_perm`` (django-rules): the organisation's import and export in the
admin.  Object-level rules about orders are plain predicates in ``missions/permissions.py``."""

import rules

from .models import Role
from .roles import has_role


@rules.predicate
def is_administrator(user):
    return has_role(user, Role.ADMINISTRATOR)


rules.add_perm("ministry.import_organisation", is_administrator)
rules.add_perm("ministry.export_organisation", is_administrator)
