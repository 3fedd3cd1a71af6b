"""Roles are Django auth groups named by ``Role`` codes; these helpers read them."""

from django.contrib.auth.models import Group, Permission

from .models import Official, Role


def user_roles(user) -> frozenset:
    if not user or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) & frozenset(Role.values)
        if user.is_superuser:
            cached = cached | {Role.ADMINISTRATOR}
        user._portal_roles = cached
    return cached


def has_role(user, *roles) -> bool:
    return bool(user_roles(user) & set(roles))


def official_of(user) -> Official | None:
    if not user or not user.is_authenticated:
        return None
    if not hasattr(user, "_portal_official"):
        user._portal_official = (
            Official.objects.select_related("unit", "position").filter(user=user, active=True).first()
        )
    return user._portal_official


# Model permissions each role needs in the admin (object-level rules still apply on top).
ROLE_MODEL_PERMISSIONS = {
    Role.APPROVER: ["missions.view_missionorder", "missions.change_missionorder", "missions.view_approvaldelegation",
                    "missions.add_approvaldelegation"],
    Role.ISSUING_CLERK: ["missions.view_missionorder", "missions.change_missionorder", "missions.view_orderdocument"],
    Role.RETURNS_CLERK: ["missions.view_missionorder", "missions.change_missionorder", "missions.view_legstamp",
                         "missions.view_orderdocument"],
    Role.UNIT_HEAD: ["missions.view_missionorder", "ministry.view_official", "ministry.view_unit"],
}
# The roles that work in the admin (the staff flag and the missions admin both follow this one list).
STAFF_ROLES = (Role.ADMINISTRATOR, Role.APPROVER, Role.ISSUING_CLERK, Role.RETURNS_CLERK, Role.UNIT_HEAD)


def roles_sync_permissions(**kwargs) -> None:
    """Give each role group its model permissions (run after every migrate)."""
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    for role, perms in ROLE_MODEL_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found:
                wanted.append(found)
        group.permissions.add(*wanted)
