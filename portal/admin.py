"""The auth admin as the Ministry reads it: roles by their names, not their group codes."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _

from ministry.models import Role


def role_label(name: str) -> str:
    return str(Role(name).label) if name in Role.values else name


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(r.value, r.label) for r in Role]

    def queryset(self, request, queryset):
        return queryset.filter(groups__name=self.value()) if self.value() else queryset


admin.site.unregister(Group)
admin.site.unregister(User)


@admin.register(Group)
class RoleGroupAdmin(GroupAdmin):
    list_display = ("role", "name")

    @admin.display(description=_("role"), ordering="name")
    def role(self, group):
        return role_label(group.name)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ("username", "official", "roles", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", RoleFilter)
    list_select_related = ("official",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("Roles"))
    def roles(self, user):
        return ", ".join(role_label(g.name) for g in user.groups.all())

    @admin.display(description=_("official"))
    def official(self, user):
        return getattr(user, "official", None) or "—"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups" and field is not None:
            field.label_from_instance = lambda group: role_label(group.name)
        return field
