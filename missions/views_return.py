"""The return (B.3): each traveller's stamped legs, the report, filing it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ministry.roles import official_of
from common.forms import apply_errors
from common.templatetags.portal import num

from . import selectors
from . import services as s
from .forms import ReportForm, StampForm
from .models import LegStamp, State
from .permissions import may_file_return


@login_required
@require_http_methods(["GET", "POST"])
def file_return(request, pk):
    order = selectors.order_for(request.user, pk)
    if order is None:
        raise Http404
    me = official_of(request.user)
    recorders = s.stamp_recorders(order, request.user) if may_file_return(order, request.user) else []
    if not recorders and not may_file_return(order, request.user):
        messages.error(request, _("Only a traveller, the requester or GDAF's returns office can fill in this return."))
        return redirect("missions:detail", pk=order.pk)
    # Whose legs the page shows: the one asked for (the head of delegation, the requester and the returns
    # office record everyone's), else one's own, else the first traveller.
    wanted = request.POST.get("traveller") or request.GET.get("traveller")
    mine = (next((t for t in recorders if str(t.pk) == wanted), None)
            or next((t for t in recorders if me is not None and t.official_id == me.pk), None)
            or (recorders[0] if recorders else None))
    legs = list(order.legs.select_related("from_province", "to_province"))
    stamps = {st.leg_id: st for st in LegStamp.objects.filter(traveller=mine)} if mine else {}
    bound_leg, bound_form, report_form = None, None, None
    if request.method == "POST":
        if "report" in request.POST:
            report_form = ReportForm(request.POST, request.FILES)
            if report_form.is_valid():
                try:
                    s.report_save(order=order, by=request.user, text=report_form.cleaned_data["report_text"],
                                  attachment=report_form.cleaned_data["report_file"])
                except ValidationError as exc:
                    apply_errors(report_form, exc)
                except s.TransitionRefused as exc:
                    messages.error(request, exc.message)
                    return redirect("missions:detail", pk=order.pk)
                else:
                    messages.success(request, _("The report was saved."))
                    return redirect("missions:return", pk=order.pk)
        else:
            leg = next((lg for lg in legs if str(lg.pk) == request.POST.get("leg")), None)
            if leg is None:
                raise Http404
            bound_leg = leg.pk
            bound_form = StampForm(request.POST, request.FILES, prefix=f"stamp-{leg.pk}")
            if bound_form.is_valid():
                d = bound_form.cleaned_data
                try:
                    s.stamp_record(order=order, leg=leg, by=request.user, departed_on=d["departed_on"],
                                   arrived_on=d["arrived_on"], scan=d["scan"], note=d["note"], traveller=mine)
                except ValidationError as exc:
                    apply_errors(bound_form, exc)
                except s.TransitionRefused as exc:
                    messages.error(request, exc.message)
                    return redirect("missions:detail", pk=order.pk)
                else:
                    messages.success(request, _("Leg %(n)s was recorded.") % {"n": num(leg.seq)})
                    return redirect(reverse("missions:return", args=[order.pk]) + f"?traveller={mine.pk}")
    rows = []
    for leg in legs:
        stamp = stamps.get(leg.pk)
        if leg.pk == bound_leg:
            form = bound_form
        else:
            initial = ({"departed_on": stamp.departed_on, "arrived_on": stamp.arrived_on, "note": stamp.note}
                       if stamp else {"departed_on": leg.travel_date, "arrived_on": leg.travel_date})
            form = StampForm(prefix=f"stamp-{leg.pk}", initial=initial)
        rows.append({"leg": leg, "stamp": stamp, "form": form})
    if report_form is None:
        report_form = ReportForm(initial={"report_text": order.report_text})
    progress = order.return_progress()
    editable = order.state in (State.ISSUED, State.SENT_BACK)
    return render(request, "missions/return.html", {
        "order": order, "rows": rows if mine else [], "report_form": report_form, "done": progress.done,
        "needed": progress.needed, "editable": editable and mine is not None,
        "sent_back": order.log.filter(action="send_back").order_by("-created").first()
        if order.state == State.SENT_BACK else None,
        "may_submit": editable and progress.complete and order.return_is_due(),
        "traveller": mine, "recorders": recorders if len(recorders) > 1 else [], "missing": progress.missing,
    })
