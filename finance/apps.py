from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "finance"
    label = "finance"
    verbose_name = _("Allowances, budgets and settlements")

    def ready(self):
        from . import receivers  # noqa: F401  (connects to missions.events.mission_event)
