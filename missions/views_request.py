"""A new request and a draft's changes: the form, its itinerary rows, the traveller search, uploads held between tries."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common import uploads
from common.forms import apply_errors
from ministry.models import Province
from ministry.roles import official_of

from . import held, selectors
from . import services as s
from .forms import LegForm, OrderForm, leg_prefixes, travellers_choices_for
from .models import State
from .permissions import may_submit
from .views_common import refused


def _leg_forms(request, order=None):
    if request.method == "POST":
        return [LegForm(request.POST, prefix=p) for p in leg_prefixes(request.POST)]
    if order is not None:
        return [
            LegForm(prefix=f"leg-{secrets.token_hex(4)}", initial={
                "from_province": leg.from_province_id, "from_country": leg.from_country, "from_city": leg.from_city,
                "to_province": leg.to_province_id, "to_country": leg.to_country, "to_city": leg.to_city,
                "travel_date": leg.travel_date, "means": leg.means})
            for leg in order.legs.all()
        ]
    return [LegForm(prefix=f"leg-{secrets.token_hex(4)}", initial={"from_province": _home_province(request)})]


def _home_province(request):
    """Where a new itinerary starts: the province of the requester's unit, or the capital for central units."""
    me = official_of(request.user)
    if me is not None and me.unit.province_id:
        return me.unit.province_id
    return Province.objects.filter(code="KH-12").values_list("pk", flat=True).first()


def _initial_from(order):
    fields = ["issuing_unit", "purpose_km", "purpose_en", "basis", "invitation_sender", "invitation_number",
              "invitation_date", "approval_leader", "approval_date", "approval_note", "approver",
              "departure_date", "return_date"]
    initial = {f: getattr(order, f"{f}_id", getattr(order, f)) for f in fields}
    travellers = list(order.travellers.all())
    initial["travellers"] = [t.official_id for t in travellers]
    initial["head"] = next((t.official_id for t in travellers if t.is_head), None)
    return initial


def _order_input(form, legs) -> s.OrderInput:
    d = form.cleaned_data
    days = [leg.cleaned_data["travel_date"] for leg in legs]
    # Dates are asked once: the mission starts with its first leg and, unless a later day is given, ends
    # with its last.
    return s.OrderInput(
        issuing_unit=d["issuing_unit"], purpose_km=d["purpose_km"], purpose_en=d["purpose_en"],
        departure_date=d["departure_date"] or min(days), return_date=d["return_date"] or max(days), basis=d["basis"],
        approver=d["approver"], travellers=list(d["travellers"]), head=d["head"],
        legs=[s.LegInput(**leg.cleaned_data) for leg in legs],
        invitation_sender=d["invitation_sender"], invitation_number=d["invitation_number"],
        invitation_date=d["invitation_date"], invitation_scan=d["invitation_scan"],
        approval_leader=d["approval_leader"], approval_date=d["approval_date"],
        approval_note=d["approval_note"], approval_scan=d["approval_scan"],
    )


def _request_form(request, order=None):
    """The request form, for a new request or for changing a draft: save, or save and submit."""
    me = official_of(request.user)
    if me is None:
        messages.error(request, _("Your login is not linked to an official; ask the administrator."))
        return redirect("dashboard")
    initial = _initial_from(order) if order is not None else {"travellers": [me.pk], "head": me.pk}
    data, files = _with_held_uploads(request)
    form = OrderForm(data, files, me=me, initial=initial)
    legs = _leg_forms(request, order)
    legs_error = ""
    if request.method == "POST" and request.POST.get("action") in ("add_leg", "find"):
        # Without script the form comes back (nothing saved, no errors yet) with one more leg, starting
        # where the last one ended, or with the officials found for the traveller search.
        found = None
        if request.POST["action"] == "add_leg":
            last = legs[-1].data if legs else {}
            start = {f"from_{part}": last.get(f"{legs[-1].prefix}-to_{part}", "") for part in ("province", "country", "city")} if legs else {}
            legs.append(LegForm(prefix=f"leg-{secrets.token_hex(4)}", initial=start))
        else:
            found = _traveller_matches(request, request.POST.get("q", ""))
        for f in (form, *legs):
            if f.is_bound:
                f._errors, f.cleaned_data = ErrorDict(), {}
        _hold_uploads(request, form)
        return render(request, "missions/new.html", {
            "form": form, "legs": legs, "order": order, "attached": _attached(request, form, order),
            "found": found, "term": request.POST.get("q", "")})
    if request.method == "POST":
        legs_ok = all([leg.is_valid() for leg in legs])
        if not legs:
            legs_error = _("Add at least one leg to the itinerary.")
        if form.is_valid() and legs_ok and legs:
            try:
                if order is None:
                    order = s.order_create(by=request.user, data=_order_input(form, legs))
                else:
                    order = s.order_update_draft(order=order, by=request.user, data=_order_input(form, legs))
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "legs" in exc.error_dict:
                    legs_error = " ".join(exc.message_dict["legs"])
                apply_errors(form, exc)
            except s.TransitionRefused as exc:
                messages.error(request, exc.message)
                return redirect("missions:detail", pk=order.pk)
            else:
                if request.POST.get("action") == "submit":
                    try:
                        s.order_submit(order=order, by=request.user)
                    except s.TransitionRefused as exc:
                        refused(request, exc, _("Saved as a draft but not submitted: %(why)s"))
                    else:
                        messages.success(request, _("The request was submitted for approval."))
                else:
                    messages.success(request, _("The request was saved as a draft."))
                for name in SCANS:
                    held.release(data.get(f"{name}_held", ""), request.user)
                return redirect("missions:detail", pk=order.pk)
        _hold_uploads(request, form)
    return render(request, "missions/new.html", {"form": form, "legs": legs, "legs_error": legs_error,
                                                 "order": order, "attached": _attached(request, form, order)})


SCANS = ("invitation_scan", "approval_scan")


def _with_held_uploads(request):
    """The posted data and files, with a file held from an earlier try put back where none was chosen."""
    if request.method != "POST":
        return None, None
    data, files = request.POST.copy(), request.FILES.copy()
    for name in SCANS:
        key = data.get(f"{name}_held", "")
        if name in files or not key:
            continue
        upload = held.take(key, request.user)
        if upload is None:
            data.pop(f"{name}_held", None)
        else:
            files[name] = upload
    return data, files


def _hold_uploads(request, form):
    """A form going back with an error keeps the files just chosen (if they passed their check)."""
    for name in SCANS:
        upload = request.FILES.get(name)
        if upload is None or name in form.errors:
            continue
        try:
            uploads.check_upload(upload)
        except ValidationError as exc:
            form.add_error(name, exc.messages[0])
            form.data.pop(f"{name}_held", None)
        else:
            form.data[f"{name}_held"] = held.hold(upload, request.user).key


def _attached(request, form, order):
    """Per scan field, what is attached: a held upload (name and size) or the draft's saved file."""
    out = {}
    for name, kind in zip(SCANS, ("invitation", "approval")):
        kept = held.info(form.data.get(f"{name}_held", ""), request.user) if form.is_bound else None
        if kept is not None:
            out[name] = {"name": kept.name, "size": kept.size, "url": ""}
        elif order is not None and getattr(order, name):
            stored = getattr(order, name)
            try:
                size = stored.size
            except OSError:
                size = None
            out[name] = {"name": stored.field.verbose_name, "size": size,
                         "url": reverse("missions:file", args=[kind, order.pk])}
    return out


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    return _request_form(request)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    order = selectors.order_for(request.user, pk)
    if order is None:
        raise Http404
    if order.state != State.DRAFT or not may_submit(order, request.user):
        messages.error(request, _("Only a draft can be changed, by the official who asked for it."))
        return redirect("missions:detail", pk=order.pk)
    return _request_form(request, order)


@login_required
@require_GET
def leg_row(request):
    """The htmx partial: one more empty itinerary row."""
    return render(request, "missions/_leg_row.html", {"leg": LegForm(prefix=f"leg-{secrets.token_hex(4)}")})


@login_required
@require_GET
def traveller_search(request):
    """The htmx partial: officials of my unit's subtree matching a name or ID, as checkboxes."""
    term = request.GET.get("q", "").strip()
    return render(request, "missions/_traveller_options.html",
                  {"people": _traveller_matches(request, term), "term": term})


def _traveller_matches(request, term):
    """Officials of my unit's subtree whose name or ID matches ``term`` (two characters at least)."""
    term = term.strip()
    if len(term) < 2:
        return []
    return list(travellers_choices_for(official_of(request.user)).filter(
        Q(name_km__icontains=term) | Q(name_latin__icontains=term) | Q(civil_service_id__iexact=term)
    )[:20])
