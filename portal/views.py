from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
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


def ratelimited(request, exception=None):
    return render(request, "429.html", status=429)


def trivial(request):
    """The floor that page benchmarks compare against: the same stack, no work."""
    return HttpResponse("ok")
