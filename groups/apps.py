from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "groups"
    label = "groups"
    verbose_name = _("Groups and notices")

    def ready(self):
        from . import receivers  # noqa: F401  (connects to missions.events.mission_event)
        from . import tasks  # noqa: F401  (names the jobs services queue through common.queue)
