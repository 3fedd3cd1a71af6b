from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _restore_reference_data(sender, using="default", **kwargs):
    """After migrate or a test database flush: provinces, positions and roles are always there."""
    from django.contrib.auth.models import Group

    from .models import Position, Province
    from .reference import load_reference_data

    if not Province.objects.using(using).exists() or not Group.objects.using(using).exists():
        load_reference_data(Province, Position, Group)


class MinistryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ministry"
    verbose_name = _("Organisation")

    def ready(self):
        from .roles import roles_sync_permissions

        post_migrate.connect(_restore_reference_data, sender=self, dispatch_uid="ministry.reference_data")
        post_migrate.connect(roles_sync_permissions, dispatch_uid="ministry.roles_sync_permissions")
