import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.template.loader import render_to_string
from django.http import HttpResponse

log = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """When the database goes away, answer a plain 503 page (no trace, no 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError) as exc:
            return self._unavailable(exc)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)) or _is_connection_error(exception):
            return self._unavailable(exception)
        return None

    def _unavailable(self, exc):
        log.error("database unavailable: %s", exc.__class__.__name__)
        html = render_to_string("503.html")
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "30"
        return response


def _is_connection_error(exc):
    return isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
