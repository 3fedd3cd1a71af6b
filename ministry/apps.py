from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MinistryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ministry"
    verbose_name = _("Organisation")

    def ready(self):
        from .roles import roles_sync_permissions

        post_migrate.connect(roles_sync_permissions, dispatch_uid="ministry.roles_sync_permissions")
