"""The inbox pages: the list, opening a notice (marks it read and follows its link), mark all read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ministry.roles import official_of

from . import services
from .models import Notification


@login_required
@require_GET
def inbox(request):
    me = official_of(request.user)
    qs = Notification.objects.filter(official=me) if me else Notification.objects.none()
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "inbox/list.html", {"page": page})


@login_required
@require_POST
def open_notice(request, pk):
    me = official_of(request.user)
    notice = get_object_or_404(Notification, pk=pk, official=me)
    services.mark_read(official=me, pk=notice.pk)
    if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts={request.get_host()}):
        return redirect(notice.url)
    return redirect("inbox:list")


@login_required
@require_POST
def read_all(request):
    n = services.mark_read(official=official_of(request.user))
    if n:
        messages.success(request, _("Every notice is marked as read."))
    return redirect("inbox:list")
