from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from django_ratelimit.decorators import ratelimit

from .accounts import PasswordResetForm
from .dashboard import dashboard_counts


@login_required
def dashboard(request):
    return render(request, "dashboard.html", {"counts": dashboard_counts(request.user)})


@require_GET
def healthz(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"ok": True})


@require_GET
def favicon(request):
    """``/favicon.ico``, which browsers ask for whatever the page names: the icon itself, cached for a day."""
    path = finders.find("favicon.ico")
    if path is None:
        raise Http404
    response = FileResponse(open(path, "rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


PASSWORD_RESET_RATE = "10/h"  # reset links asked for from one address


@ratelimit(key="ip", rate=PASSWORD_RESET_RATE, method="POST", block=False)
def password_reset(request):
    """Asking for a reset link by e-mail.  Past the limit the page says what to do instead (429), as the log-in
    lock-out does: without django-ratelimit's middleware a blocked request would be a bare 403."""
    if getattr(request, "limited", False):
        return render(request, "registration/password_reset_throttled.html", {
            "link_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }, status=429)
    return auth_views.PasswordResetView.as_view(form_class=PasswordResetForm)(request)


def ratelimited(request, exception=None):
    return render(request, "429.html", status=429)


def trivial(request):
    """The bare floor of page benchmarks: the same middleware stack, no work."""
    return HttpResponse("ok")


@login_required
def trivial_page(request):
    """The page floor of benchmarks: what every portal page pays before its own work — the
    logged-in user and session, the role-dependent navigation and the base layout — around an
    empty body."""
    return render(request, "trivial.html")
