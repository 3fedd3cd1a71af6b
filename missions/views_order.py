"""One order: its page and timeline, the transitions with their confirmation, sending a request to another leader."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ministry.models import Official

from . import rules, selectors
from . import services as s
from .forms import ReasonForm
from .models import LegStamp, OrderDocument, State
from .permissions import may_file_return, may_submit
from .views_common import refused
from .views_lists import QUEUES


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
        entry.note = entry.details(travellers)
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
        refused(request, exc)
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
