from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Installed for its template library (``{% load portal %}``); it has no models."""

    name = "common"
    verbose_name = "Common"
