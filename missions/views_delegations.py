"""Acting approvals: a leader names another leader to approve in their name, and ends it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ministry.models import Role
from ministry.roles import has_role, official_of
from common.forms import apply_errors

from . import services as s
from .forms import DelegationForm
from .models import ApprovalDelegation


@login_required
@require_http_methods(["GET", "POST"])
def delegations(request):
    me = official_of(request.user)
    if me is None or not me.position.in_leadership_group or not has_role(request.user, Role.APPROVER):
        messages.error(request, _("Only leaders who approve missions can name an acting leader."))
        return redirect("dashboard")
    form = DelegationForm(request.POST or None, me=me)
    if request.method == "POST" and form.is_valid():
        try:
            s.delegation_create(leader=me, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The acting approval was saved."))
            return redirect("missions:delegations")
    rows = ApprovalDelegation.objects.filter(Q(leader=me) | Q(acting=me)).select_related("leader", "acting")
    return render(request, "missions/delegations.html", {"form": form, "rows": rows, "me": me,
                                                         "today": timezone.localdate()})


@login_required
@require_POST
def delegation_end(request, pk):
    delegation = get_object_or_404(ApprovalDelegation, pk=pk)
    try:
        s.delegation_end(delegation=delegation, by=request.user)
    except s.TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The acting approval was ended; the acting leader was told."))
    return redirect("missions:delegations")
