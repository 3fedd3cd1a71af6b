from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MissionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "missions"
    verbose_name = _("Mission orders")

    def ready(self):
        from . import search_names, tasks  # noqa: F401  (tasks names the jobs services queue through common.queue)

        search_names.connect()
