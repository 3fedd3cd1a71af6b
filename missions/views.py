"""Mission-order pages: each view checks input, authorises, calls one service and says what happened."""

import re
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common import uploads
from common.forms import apply_errors
from common.templatetags.portal import num
from ministry.models import Official, Province, Role
from ministry.roles import has_role, official_of

from . import services as s
from . import held, rules, selectors
from .exports import export_response
from .forms import DelegationForm, FilterForm, LegForm, OrderForm, ReasonForm, ReportForm, StampForm, leg_prefixes
from .forms import filter_fields_html, travellers_choices_for
from .models import ApprovalDelegation, LegStamp, MissionOrder, OrderDocument, State
from .permissions import may_file_return, may_submit
from .fast_lists import RowPaginator, add_travellers_and_places, column_labels, order_rows

PAGE_SIZE = 50


def _refused(request, exc, prefix=None):
    """A refusal as a message; one that names another order links to it."""
    text = exc.message if prefix is None else prefix % {"why": exc.message}
    other = getattr(exc, "other_order", None)
    if other is not None and selectors.order_for(request.user, other.pk) is not None:
        text = format_html('{} <a href="{}">{}</a>', text, reverse("missions:detail", args=[other.pk]),
                           _("Open %(order)s") % {"order": other})
    messages.error(request, text)


# --- lists and queues ----------------------------------------------------------------


QUEUES = {
    "mine": (selectors.my_orders, gettext_lazy("My missions"), None),
    "unit": (selectors.unit_queue, gettext_lazy("The unit's orders"), Role.UNIT_HEAD),
    "approvals": (selectors.approval_queue, gettext_lazy("Waiting for my approval"), Role.APPROVER),
    "to_issue": (selectors.issue_queue, gettext_lazy("Approved orders to issue"), Role.ISSUING_CLERK),
    "returns": (selectors.returns_queue, gettext_lazy("Returns to check"), Role.RETURNS_CLERK),
}


def _queue(request, name):
    reader, title, role = QUEUES[name]
    if role and not has_role(request.user, role, Role.ADMINISTRATOR):
        messages.error(request, _("This list is for another role."))
        return redirect("dashboard")
    qs = reader(request.user)
    # Only ``page`` or ``export`` in the query: the list is unfiltered, and so is its (kept) filter form.
    form = FilterForm(request.GET) if set(request.GET) - {"page", "export"} else None
    if form is not None and form.is_valid():
        qs = selectors.filter_orders(qs, **form.cleaned_data)
    elif form is not None:
        messages.error(request, _("The filter could not be applied: see the message beside the field."))
        qs = qs.none()
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return export_response(selectors.with_list_data(qs), export, name)
    page = RowPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = add_travellers_and_places(list(page.object_list))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    can_approve = name == "approvals"
    detail_url = reverse("missions:detail", args=[0])[:-2]  # "/missions/" + pk + "/" without a reverse per row
    labels = column_labels()
    return render(request, "missions/list.html", {
        "queue": name, "title": title, "page": page, "total": page.paginator.count, "filter_fields": filter_fields_html(form),
        "query": params.urlencode(), "can_approve": can_approve, "labels": labels,
        "rows": order_rows(request, rows, detail_url=detail_url, can_approve=can_approve, labels=labels),
    })


@login_required
def mine(request):
    return _queue(request, "mine")


@login_required
def unit(request):
    return _queue(request, "unit")


@login_required
def approvals(request):
    return _queue(request, "approvals")


@login_required
def to_issue(request):
    return _queue(request, "to_issue")


@login_required
def returns(request):
    return _queue(request, "returns")


# --- a new request -------------------------------------------------------------------


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
                        _refused(request, exc, _("Saved as a draft but not submitted: %(why)s"))
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


# --- one order -----------------------------------------------------------------------


REASON_ACTIONS = {"reject", "revoke", "send_back"}
NOTE_ACTIONS = {"approve", "accept"}
# Actions that end or undo something: asked once on their own page (``confirm``), never one tap.
DESTRUCTIVE = ("reject", "send_back", "cancel", "revoke")
ACTIONS = {
    "submit": s.order_submit,
    "approve": s.order_approve,
    "reject": s.order_reject,
    "cancel": s.order_cancel,
    "issue": s.order_issue,
    "revoke": s.order_revoke,
    "file_return": s.order_file_return,
    "send_back": s.order_send_back,
    "accept": s.order_accept,
}
DONE = {
    "submit": gettext_lazy("The request was submitted for approval."),
    "approve": gettext_lazy("The request was approved."),
    "reject": gettext_lazy("The request was rejected."),
    "cancel": gettext_lazy("The order was cancelled."),
    "issue": gettext_lazy("The order was issued."),
    "revoke": gettext_lazy("The order was revoked."),
    "file_return": gettext_lazy("The return was submitted to GDAF."),
    "send_back": gettext_lazy("The return was sent back to the travellers."),
    "accept": gettext_lazy("The return was accepted."),
}

CONSEQUENCES = {
    "reject": gettext_lazy("The request will be rejected and the requester told your reason. It cannot be approved "
                           "afterwards: the mission would need a new request."),
    "send_back": gettext_lazy("The return goes back to the travellers with your reason, so that they can correct it "
                              "and submit it again."),
    "cancel": gettext_lazy("The request will be cancelled for good: nobody can submit, approve or issue it "
                           "afterwards. This cannot be undone."),
    "revoke": gettext_lazy("The issued order will be revoked: it no longer authorises any travel, its verification "
                           "page says so and a new PDF marked as revoked is made. This cannot be undone."),
}
QUESTIONS = {
    "reject": gettext_lazy("Reject this request?"),
    "send_back": gettext_lazy("Send this return back?"),
    "cancel": gettext_lazy("Cancel this request?"),
    "revoke": gettext_lazy("Revoke this order?"),
}

LOG_LABELS = {
    **DONE,
    "created": gettext_lazy("Request created"),
    "edited": gettext_lazy("Draft changed"),
    "stamp_recorded": gettext_lazy("A leg of the return was recorded"),
    "report_saved": gettext_lazy("The report was saved"),
    "document_requested": gettext_lazy("A PDF of the order was requested"),
    "overdue": gettext_lazy("The return is overdue"),
    "overdue_escalated": gettext_lazy("The head of unit was told the return is overdue"),
    "reassigned": gettext_lazy("The request was sent to another leader"),
}


DOCUMENT_NOTE = re.compile(r"^v(\d+) · (KM|EN)$")  # written by services.document_request


def _document_note(note: str, documents) -> str:
    """``v2 · KM`` in the log, as the reader reads it: "Version ២, Khmer: Rendered again"."""
    match = DOCUMENT_NOTE.match(note)
    if not match:
        return note
    version, language = int(match[1]), match[2].lower()
    values = {"version": num(version), "language": _("English") if language == "en" else _("Khmer")}
    doc = next((d for d in documents if d.version == version and d.language == language), None)
    if doc is not None and doc.reason:
        return _("Version %(version)s, %(language)s: %(reason)s") % {**values, "reason": doc.get_reason_display()}
    return _("Version %(version)s, %(language)s") % values


STAMP_NOTE = re.compile(r"^(.+) · (\d+)$")  # written by services.stamp_record


def _stamp_note(note: str) -> str:
    """``Sok Dara · 2`` in the log, as the reader reads it: "Sok Dara, leg ២"."""
    match = STAMP_NOTE.match(note)
    if not match:
        return note
    return _("%(traveller)s, leg %(leg)s") % {"traveller": match[1], "leg": num(int(match[2]))}


def _available_actions(order, user):
    out = []
    for t in order.get_available_user_state_transitions(user):
        if t.name == "file_return":
            continue  # on the return page, next to what it needs
        out.append({"name": t.name, "label": t.custom.get("label", t.name), "needs_reason": t.name in REASON_ACTIONS,
                    "danger": t.name in DESTRUCTIVE})
    # What moves the order on comes first; what ends it last, behind its confirmation page.
    return sorted(out, key=lambda a: a["danger"])


def _document_url(doc):
    if doc.status != OrderDocument.Status.READY:
        return ""
    return reverse("missions:document_download", args=[doc.pk])


@login_required
@require_GET
def detail(request, pk):
    order = selectors.order_for(request.user, pk)
    if order is None:
        raise Http404
    travellers = order.travellers.select_related("official")
    legs = order.legs.select_related("from_province", "to_province")
    log = list(order.log.select_related("actor__official", "acting_for"))
    all_documents = list(order.documents.all())
    states = dict(State.choices)
    for entry in log:
        entry.label = LOG_LABELS.get(entry.action, entry.action)
        if entry.action == "document_requested":
            entry.note = _document_note(entry.note, all_documents)
        elif entry.action == "stamp_recorded":
            entry.note = _stamp_note(entry.note)
        entry.to_state_label = states.get(entry.to_state, entry.to_state)
        official = getattr(entry.actor, "official", None) if entry.actor else None
        entry.actor_name = str(official) if official else (entry.actor.get_username() if entry.actor else "")
    documents = [(doc, _document_url(doc)) for doc in all_documents]
    stamps = list(LegStamp.objects.filter(traveller__order=order).exclude(scan="")
                  .select_related("traveller__official", "leg").order_by("traveller__sort", "leg__seq"))
    return render(request, "missions/detail.html", {
        "order": order, "travellers": travellers, "legs": legs, "log": log, "documents": documents,
        "actions": _available_actions(order, request.user), "reason_form": ReasonForm(), "stamps": stamps,
        "may_return": order.state in (State.ISSUED, State.SENT_BACK) and may_file_return(order, request.user),
        "may_reassign": order.state == State.SUBMITTED and s.may_reassign(order, request.user),
        "approver_choices": rules.approvers(order.requested_by, exclude_ids=[t.official_id for t in travellers])
        if order.state == State.SUBMITTED and s.may_reassign(order, request.user) else [],
        "may_edit": order.state == State.DRAFT and may_submit(order, request.user),
    })


@login_required
@require_POST
def transition(request, pk, action):
    order = selectors.order_for(request.user, pk)
    if order is None or action not in ACTIONS:
        raise Http404
    if action in DESTRUCTIVE and request.POST.get("confirmed") != "1":
        # A destructive action is taken only from its confirmation page, which says what will happen.
        return redirect("missions:confirm", pk=order.pk, action=action)
    kwargs = {}
    if action in REASON_ACTIONS:
        kwargs["reason"] = request.POST.get("reason", "")
    elif action == "cancel":
        kwargs["reason"] = request.POST.get("reason", "")
    elif action in NOTE_ACTIONS:
        kwargs["note"] = request.POST.get("note", "").strip()
    try:
        ACTIONS[action](order=order, by=request.user, **kwargs)
    except s.TransitionRefused as exc:
        _refused(request, exc)
        if action in REASON_ACTIONS and not kwargs.get("reason", "").strip():
            return redirect("missions:confirm", pk=order.pk, action=action)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, DONE[action])
    target = request.POST.get("next", "")
    if target in QUEUES:
        return redirect(f"missions:{target}")
    if action == "file_return":
        # Filed or not, the return page says where it stands (read-only once filed).
        return redirect("missions:return", pk=order.pk)
    return redirect("missions:detail", pk=order.pk)


@login_required
@require_GET
def confirm(request, pk, action):
    """The one question before a destructive action: what will happen, and the reason the record needs."""
    order = selectors.order_for(request.user, pk)
    if order is None or action not in DESTRUCTIVE:
        raise Http404
    if action not in {a["name"] for a in _available_actions(order, request.user)}:
        messages.error(request, _("This action is not possible now, or not yours to take."))
        return redirect("missions:detail", pk=order.pk)
    label = next(a["label"] for a in _available_actions(order, request.user) if a["name"] == action)
    return render(request, "missions/confirm.html", {
        "order": order, "action": action, "label": label, "question": QUESTIONS[action],
        "consequence": CONSEQUENCES[action], "reason_required": action in REASON_ACTIONS,
        "travellers": order.travellers.select_related("official"),
        "legs": order.legs.select_related("from_province", "to_province"),
    })


@require_POST
def reassign(request, pk):
    """Send a waiting request to another leader (Cabinet, GDAF or an administrator), with a reason."""
    order = selectors.order_for(request.user, pk)
    if order is None:
        raise Http404
    approver = Official.objects.filter(pk=request.POST.get("approver") or 0).first()
    try:
        if approver is None:
            raise ValidationError(_("Choose a leader (a holder of a leadership position) to approve the request."))
        s.order_reassign_approver(order=order, by=request.user, approver=approver,
                                  reason=request.POST.get("reason", ""))
    except s.TransitionRefused as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The request was sent to %(leader)s; both leaders were told.") % {
            "leader": approver})
    return redirect("missions:detail", pk=order.pk)


# --- the return (B.3) ----------------------------------------------------------------


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
    needed = order.travellers.count() * len(legs)
    missing = order.missing_stamps()
    editable = order.state in (State.ISSUED, State.SENT_BACK)
    return render(request, "missions/return.html", {
        "order": order, "rows": rows if mine else [], "report_form": report_form, "done": needed - len(missing),
        "needed": needed, "editable": editable and mine is not None,
        "sent_back": order.log.filter(action="send_back").order_by("-created").first()
        if order.state == State.SENT_BACK else None,
        "may_submit": editable and order.return_is_complete() and order.return_is_due(),
        "traveller": mine, "recorders": recorders if len(recorders) > 1 else [], "missing": missing,
    })


# --- files ---------------------------------------------------------------------------


FILE_KINDS = {
    "invitation": (MissionOrder, "invitation_scan"),
    "approval": (MissionOrder, "approval_scan"),
    "report": (MissionOrder, "report_file"),
    "stamp": (LegStamp, "scan"),
}


@login_required
@require_GET
def file(request, kind, pk):
    """Stream an uploaded scan to someone who may see its order; files are named by model, id and field."""
    if kind not in FILE_KINDS:
        raise Http404
    model, field = FILE_KINDS[kind]
    if model is LegStamp:
        obj = get_object_or_404(LegStamp.objects.select_related("traveller"), pk=pk)
        order_id = obj.traveller.order_id
    else:
        obj, order_id = None, pk
    order = selectors.order_for(request.user, order_id)
    if order is None:
        raise Http404
    stored = getattr(obj or order, field)
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return uploads.file_response(handle, f"order-{order.pk}-{kind}-{pk}", original=request.GET.get("original") == "1")


# --- acting approvals ----------------------------------------------------------------


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

