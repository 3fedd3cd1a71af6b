from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

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
