from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MinistryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ministry"
    verbose_name = _("Organisation")
