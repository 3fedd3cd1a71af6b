"""Roles are Django auth groups named by ``Role`` codes; these helpers read them."""

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
