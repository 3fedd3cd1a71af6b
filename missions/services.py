"""Business actions on mission orders: one function per action.

Every state change has one shape: lock the row, check with the FSM (state,
permission, conditions) and raise ``TransitionRefused`` with a message the user
can read, transition, save, write the log line and announce the event — all in
one transaction.  Work that leaves the database (PDF, notices) runs on commit.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from common import queue
from common.templatetags.portal import day, num
from common.uploads import check_upload
from ministry.audit import audit
from ministry.models import Official, Role, Unit
from ministry.roles import has_role, official_of

from . import events, limits, rules, trail
from .models import (
    ApprovalDelegation,
    Basis,
    IssueCounter,
    Leg,
    LegStamp,
    MissionOrder,
    OrderDocument,
    State,
    Traveller,
)
from .permissions import acting_for, clerk_issuer, in_returns_office, may_file_return, may_rerender, may_submit


class TransitionRefused(Exception):
    """A state change or action that may not happen now (an order's, a group post's); ``message`` is for the
    user."""

    def __init__(self, message, *, other_order=None):
        super().__init__(message)
        self.message = message
        self.other_order = other_order  # the order a refusal points to (a clash of dates), for a link


ACTIVE_STATES = (State.SUBMITTED, State.APPROVED, State.ISSUED, State.RETURNED, State.SENT_BACK, State.ACCEPTED)


# --- creating a request ---------------------------------------------------------


@dataclass
class LegInput:
    travel_date: date
    means: str
    from_province: object = None
    from_country: str = ""
    from_city: str = ""
    to_province: object = None
    to_country: str = ""
    to_city: str = ""


@dataclass
class OrderInput:
    issuing_unit: Unit
    purpose_km: str
    departure_date: date
    return_date: date
    basis: str
    approver: Official
    travellers: list  # of Official; the first is the head of delegation unless head is given
    legs: list  # of LegInput
    head: Official | None = None
    purpose_en: str = ""
    invitation_sender: str = ""
    invitation_number: str = ""
    invitation_date: date | None = None
    invitation_scan: object = None
    approval_leader: Official | None = None
    approval_date: date | None = None
    approval_note: str = ""
    approval_scan: object = None
    files: dict = field(default_factory=dict)


def _validate_input(data: OrderInput, requester: Official, requested_on: date | None = None) -> None:
    """Every rule a request must meet before it is saved (``rules``); nothing is written on an error."""
    errors = {}
    traveller_ids = [o.pk for o in data.travellers]
    limits.clean_order_input(data, errors)
    if not data.issuing_unit.may_issue_orders:
        errors["issuing_unit"] = rules.B1_MESSAGE
    if data.return_date < data.departure_date:
        errors["return_date"] = _("The return date is before the departure date.")
    if not data.travellers:
        errors["travellers"] = _("Add at least one traveller.")
    if len(set(traveller_ids)) != len(traveller_ids):
        errors["travellers"] = _("A traveller is listed twice.")
    if data.head is not None and data.head not in data.travellers:
        errors["head"] = _("The head of delegation must be one of the travellers.")
    if not data.legs:
        errors["legs"] = _("Add at least one leg to the itinerary.")
    for leg in data.legs:
        if not (data.departure_date <= leg.travel_date <= data.return_date):
            errors["legs"] = _("Every leg's date must fall between the departure and return dates.")
    problem = rules.approver_error(data.approver, requested_by_id=requester.pk, traveller_ids=traveller_ids)
    if problem:
        errors["approver"] = problem
    errors.update(rules.basis_errors(
        basis=data.basis, invitation_sender=data.invitation_sender, invitation_number=data.invitation_number,
        invitation_date=data.invitation_date, approval_leader=data.approval_leader, approval_date=data.approval_date,
        requested_by_id=requester.pk, traveller_ids=traveller_ids,
        requested_on=requested_on or timezone.localdate()))
    for key in ("invitation_scan", "approval_scan"):
        upload = getattr(data, key)
        if upload:
            try:
                check_upload(upload)
            except ValidationError as exc:
                errors[key] = exc.messages[0]
    if errors:
        raise ValidationError(errors)


def _apply_input(order: MissionOrder, data: OrderInput) -> None:
    """Copy a request's fields onto ``order``; an upload left empty keeps the file already there."""
    order.issuing_unit = data.issuing_unit
    order.purpose_km = data.purpose_km.strip()
    order.purpose_en = data.purpose_en.strip()
    order.basis = data.basis
    order.approver = data.approver
    order.departure_date, order.return_date = data.departure_date, data.return_date
    invitation = data.basis == Basis.INVITATION
    order.invitation_sender = data.invitation_sender if invitation else ""
    order.invitation_number = data.invitation_number if invitation else ""
    order.invitation_date = data.invitation_date if invitation else None
    order.approval_leader = None if invitation else data.approval_leader
    order.approval_date = None if invitation else data.approval_date
    order.approval_note = "" if invitation else data.approval_note
    if invitation and data.invitation_scan:
        order.invitation_scan = data.invitation_scan
    if not invitation and data.approval_scan:
        order.approval_scan = data.approval_scan


def _write_people_and_legs(order: MissionOrder, data: OrderInput) -> None:
    order.travellers.all().delete()
    order.legs.all().delete()
    head = data.head or data.travellers[0]
    for i, official in enumerate(data.travellers):
        t = Traveller(order=order, official=official, is_head=(official == head), sort=i)
        t.snapshot()
        t.save()
    for i, leg in enumerate(data.legs, start=1):
        Leg.objects.create(order=order, seq=i, **leg.__dict__)


@transaction.atomic
def order_create(*, by, data: OrderInput) -> MissionOrder:
    """Create a draft request. Raises ``ValidationError`` (nothing written) on bad input."""
    me = official_of(by)
    if me is None:
        raise ValidationError(_("Your login is not linked to an official; ask the administrator."))
    _validate_input(data, me)
    order = MissionOrder(requesting_unit=me.unit, requested_by=me)
    _apply_input(order, data)
    order.save()
    _write_people_and_legs(order, data)
    trail.record(order, "created", by=by, to_state=order.state)
    return order


@transaction.atomic
def order_update_draft(*, order: MissionOrder, by, data: OrderInput) -> MissionOrder:
    """Change a draft request (its travellers and itinerary are replaced). Only a draft, only by its requester."""
    locked = MissionOrder.objects.select_for_update().get(pk=order.pk)
    if locked.state != State.DRAFT:
        raise TransitionRefused(_("Only a draft can be changed; this request is %(state)s.")
                                % {"state": locked.get_state_display()})
    if not may_submit(locked, by):
        raise TransitionRefused(_("You are not allowed to do that with this order."))
    _validate_input(data, locked.requested_by, timezone.localdate(locked.created))
    _apply_input(locked, data)
    locked.save()
    _write_people_and_legs(locked, data)
    trail.record(locked, "edited", by=by, from_state=locked.state, to_state=locked.state)
    return locked


# --- transitions ------------------------------------------------------------------


def _refusal(order, method, user):
    """The message for a transition that cannot run now, or None."""
    if not can_proceed(method, check_conditions=False):
        return _("This order is %(state)s: that action is not possible now.") % {"state": order.get_state_display()}
    # django-fsm's has_transition_perm() also checks the conditions: ask the permission alone, so that
    # an incomplete order gets the message saying what is missing.
    meta = method._django_fsm
    if not meta.get_transition(meta.field.get_state(order)).has_perm(order, user):
        return _("You are not allowed to do that with this order.")
    if not can_proceed(method):
        return _CONDITION_MESSAGES.get(method.__name__, lambda o: _("The order is not complete."))(order)
    return None


def _basis_message(order):
    return " ".join(str(m) for m in order.basis_errors().values())


def _submit_message(order):
    if not order.has_itinerary():
        return _("Add the travellers and the itinerary before submitting.")
    return _basis_message(order)


def _issue_message(order):
    if not order.issuer_may_issue():
        return str(rules.B1_MESSAGE)
    if not order.has_itinerary():
        return _("Add the travellers and the itinerary before submitting.")
    return order.basis_scan_missing() or _basis_message(order)


def _return_message(order):
    if not order.return_is_due():
        return _("The return can be filed only after the last leg of the mission (%(date)s).") % {
            "date": day(order.last_leg_date())}
    if not order.report_text.strip():
        return _("Write the report on the results of the mission before submitting the return.")
    missing = order.missing_stamps()
    return _("The stamped visa sheet is missing for: %(missing)s (B.3).") % {
        "missing": "; ".join(_("%(traveller)s, leg %(leg)s") % {"traveller": t.official, "leg": num(leg.seq)}
                             for t, leg in missing)}




_CONDITION_MESSAGES = {"submit": _submit_message, "issue": _issue_message, "file_return": _return_message}


def _move(order, by, name, event, *, note="", prepare=None, acting=None, before_event=None) -> MissionOrder:
    """Lock, check, change, log, announce: one transaction.  ``before_event(order)`` writes what the event
    must carry (it returns the event's extra arguments, e.g. the issued order's document)."""
    with transaction.atomic():
        locked = MissionOrder.objects.select_for_update(of=("self",)).select_related("issuing_unit", "requesting_unit").get(pk=order.pk)
        method = getattr(locked, name)
        refusal = _refusal(locked, method, by)
        if refusal:
            raise TransitionRefused(refusal)
        from_state = locked.state
        if prepare:
            prepare(locked)
        method()
        locked.save()
        trail.record(locked, name, by=by, from_state=from_state, to_state=locked.state, acting_for=acting, note=note)
        extra = before_event(locked) if before_event else {}
        events.emit(locked, event, actor=by, note=note, **extra)
    return locked


def _clash(order) -> MissionOrder | None:
    ids = order.travellers.values_list("official_id", flat=True)
    return (
        MissionOrder.objects.filter(
            travellers__official_id__in=ids,
            state__in=ACTIVE_STATES,
            departure_date__lte=order.return_date,
            return_date__gte=order.departure_date,
        )
        .exclude(pk=order.pk)
        .select_related("issuing_unit")
        .first()
    )


def order_submit(*, order: MissionOrder, by) -> MissionOrder:
    def prepare(o):
        other = _clash(o)
        if other is not None:
            ids = o.travellers.values_list("official_id", flat=True)
            who = other.travellers.filter(official_id__in=ids).select_related("official").first()
            raise TransitionRefused(
                _("%(traveller)s is already on %(order)s from %(start)s to %(end)s; the dates overlap.")
                % {"traveller": who.official if who else "", "order": str(other),
                   "start": day(other.departure_date), "end": day(other.return_date)},
                other_order=other,
            )

    return _move(order, by, "submit", events.SUBMITTED, prepare=prepare)


def order_approve(*, order: MissionOrder, by, note: str = "") -> MissionOrder:
    leader = acting_for(order, by)
    me = official_of(by)
    acting = leader if (leader is not None and me is not None and leader.pk != me.pk) else None

    def prepare(o):
        o.approved_by = me
        o.approved_acting_for = acting

    return _move(order, by, "approve", events.APPROVED, note=note, prepare=prepare, acting=acting)


def _require(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(_("Give a reason."))
    if len(reason) > limits.L.REASON:
        raise TransitionRefused(limits.L.too_long(limits.L.REASON, len(reason)))
    return reason


def order_reject(*, order: MissionOrder, by, reason: str) -> MissionOrder:
    reason = _require(reason)

    def prepare(o):
        o.reason = reason

    return _move(order, by, "reject", events.REJECTED, note=reason, prepare=prepare)


def order_cancel(*, order: MissionOrder, by, reason: str = "") -> MissionOrder:
    reason = (reason or "").strip()

    def prepare(o):
        if reason:
            o.reason = reason

    return _move(order, by, "cancel", events.CANCELLED, note=reason, prepare=prepare)


def _next_number(unit: Unit, year: int) -> int:
    try:
        with transaction.atomic():
            IssueCounter.objects.get_or_create(issuing_unit=unit, year=year)
    except IntegrityError:  # created by a concurrent issue a moment ago
        pass
    counter = IssueCounter.objects.select_for_update().get(issuing_unit=unit, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _signer_for(unit: Unit) -> Official | None:
    return (
        Official.objects.filter(unit=unit, active=True, position__heads_unit=True)
        .select_related("position")
        .order_by("position__rank", "id")
        .first()
    )


@transaction.atomic
def order_issue(*, order: MissionOrder, by) -> MissionOrder:
    """Issue the order and ask for its PDF in one transaction: no issued order is left without a document
    row. On commit the render is queued and the order is published to the leadership group."""
    now = timezone.now()

    def prepare(o):
        o.year = timezone.localdate(now).year
        o.number = _next_number(o.issuing_unit, o.year)
        o.issued_at = now
        o.signer = o.signer or _signer_for(o.issuing_unit)

    requested = {}

    def request_pdf(o):
        requested["document"] = document_request(order=o, by=by, reason=OrderDocument.Reason.ISSUED)
        return requested

    order = _move(order, by, "issue", events.ISSUED, prepare=prepare, before_event=request_pdf)
    # The leadership group gets the order with its PDF (A.2), published once the issue is committed.
    queue.after_commit("groups.publish_order", order.pk, requested["document"].pk, getattr(by, "pk", None))
    return order


@transaction.atomic
def order_revoke(*, order: MissionOrder, by, reason: str) -> MissionOrder:
    """Revoke the order and ask for its revoked PDF in one transaction (as ``order_issue``)."""
    reason = _require(reason)

    def prepare(o):
        o.reason = reason

    order = _move(order, by, "revoke", events.REVOKED, note=reason, prepare=prepare)
    document_request(order=order, by=by, reason=OrderDocument.Reason.REVOKED)
    return order


def order_file_return(*, order: MissionOrder, by) -> MissionOrder:
    def prepare(o):
        o.returned_at = timezone.now()
        o.returned_by = by

    return _move(order, by, "file_return", events.RETURNED, prepare=prepare)


def order_send_back(*, order: MissionOrder, by, reason: str) -> MissionOrder:
    reason = _require(reason)

    def prepare(o):
        o.reason = reason

    return _move(order, by, "send_back", events.SENT_BACK, note=reason, prepare=prepare)


def order_accept(*, order: MissionOrder, by, note: str = "") -> MissionOrder:
    def prepare(o):
        o.overdue_since = None

    return _move(order, by, "accept", events.ACCEPTED, note=note, prepare=prepare)


# --- the return (B.3) ---------------------------------------------------------------


def _editable_return(order: MissionOrder, by) -> None:
    """The return may be filled in: after issue or a send-back, by a traveller, the requester or a returns
    clerk recording a return brought on paper (``permissions.may_file_return``)."""
    if order.state not in (State.ISSUED, State.SENT_BACK):
        raise TransitionRefused(_("The return can be filled in only after issue, or after GDAF sent it back."))
    if not may_file_return(order, by):
        raise TransitionRefused(_("Only a traveller, the requester or GDAF's returns office can fill in this return."))


def stamp_recorders(order: MissionOrder, by) -> list[Traveller]:
    """The travellers whose stamps ``by`` may record: everyone's for the head of delegation, the requester
    and the returns office (a return on paper); one's own for another traveller."""
    me = official_of(by)
    travellers = list(order.travellers.select_related("official"))
    if me is None:
        return []
    if order.requested_by_id == me.pk or in_returns_office(by) or any(
            t.is_head and t.official_id == me.pk for t in travellers):
        return travellers
    return [t for t in travellers if t.official_id == me.pk]


@transaction.atomic
def stamp_record(
    *, order: MissionOrder, leg: Leg, by, departed_on: date, arrived_on: date, scan, note: str = "",
    traveller: Traveller | None = None, today: date | None = None,
) -> LegStamp:
    """Record one traveller's leg with the stamped visa sheet: the logged-in traveller's own by default; the
    head of delegation, the requester or a returns clerk may record any traveller's."""
    order = MissionOrder.objects.select_for_update().get(pk=order.pk)
    _editable_return(order, by)
    if leg.order_id != order.pk:
        raise TransitionRefused(_("That leg belongs to another order."))
    allowed = stamp_recorders(order, by)
    if traveller is None:
        me = official_of(by)
        traveller = next((t for t in allowed if me is not None and t.official_id == me.pk), None)
    if traveller is None or traveller.pk not in {t.pk for t in allowed}:
        raise TransitionRefused(_("You may record only your own legs; the head of delegation records everyone's."))
    errors = rules.stamp_date_errors(departed_on=departed_on, arrived_on=arrived_on,
                                     mission_start=order.departure_date, mission_end=order.return_date,
                                     today=today or timezone.localdate())
    note = limits.L.one_line(note)
    limits.L.check_length(errors, "note", note, limits.L.STAMP_NOTE)
    existing = LegStamp.objects.filter(traveller=traveller, leg=leg).first()
    if scan:
        try:
            scan_type = check_upload(scan)
        except ValidationError as exc:
            errors["scan"] = exc.messages[0]
    elif existing is None or not existing.scan:
        errors["scan"] = _("Add a photo or scan of the stamped visa sheet.")
    if errors:
        raise ValidationError(errors)
    stamp = existing or LegStamp(traveller=traveller, leg=leg)
    stamp.departed_on, stamp.arrived_on, stamp.note = departed_on, arrived_on, note
    if scan:
        stamp.scan, stamp.scan_type = scan, scan_type
    stamp.recorded_at = timezone.now()
    stamp.save()
    trail.record(order, "stamp_recorded", by=by, traveller=traveller.official_id,
                 traveller_name=str(traveller.official), leg=leg.seq)
    return stamp


@transaction.atomic
def report_save(*, order: MissionOrder, by, text: str, attachment=None) -> MissionOrder:
    order = MissionOrder.objects.select_for_update().get(pk=order.pk)
    _editable_return(order, by)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"report_text": _("Write the report on the results of the mission.")})
    limits.L.require_length("report_text", text, limits.L.REPORT)
    fields = ["report_text", "updated"]
    if attachment:
        try:
            check_upload(attachment)
        except ValidationError as exc:
            raise ValidationError({"report_file": exc.messages[0]}) from exc
        order.report_file = attachment
        fields.append("report_file")
    order.report_text = text
    order.save(update_fields=fields)
    trail.record(order, "report_saved", by=by)
    return order


# --- overdue returns ----------------------------------------------------------------


def orders_mark_overdue(*, today: date | None = None) -> int:
    """Mark orders not returned N days after their return date; one event each. Idempotent."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.RETURN_OVERDUE_DAYS)
    marked = 0
    candidates = MissionOrder.objects.filter(
        state__in=(State.ISSUED, State.SENT_BACK), return_date__lt=cutoff, overdue_since__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            claimed = MissionOrder.objects.filter(pk=pk, overdue_since__isnull=True).update(overdue_since=today)
            if claimed != 1:
                continue
            order = MissionOrder.objects.get(pk=pk)
            trail.record(order, "overdue", on=str(today))
            events.emit(order, events.OVERDUE)
            marked += 1
    return marked + orders_escalate_overdue(today=today)


def orders_escalate_overdue(*, today: date | None = None) -> int:
    """Orders still not returned ``RETURN_ESCALATE_DAYS`` after they became overdue: the head of the
    requesting unit is told, once per order (the log line is the mark). Idempotent."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.RETURN_ESCALATE_DAYS)
    escalated = 0
    candidates = (MissionOrder.objects.filter(state__in=(State.ISSUED, State.SENT_BACK), overdue_since__lte=cutoff)
                  .exclude(log__action="overdue_escalated").values_list("pk", flat=True))
    for pk in list(candidates):
        with transaction.atomic():
            order = MissionOrder.objects.select_for_update().get(pk=pk)
            if order.log.filter(action="overdue_escalated").exists():
                continue
            trail.record(order, "overdue_escalated", on=str(today))
            events.emit(order, events.OVERDUE_ESCALATED)
            escalated += 1
    return escalated


# --- acting approvals ----------------------------------------------------------------


@transaction.atomic
def delegation_create(*, leader: Official, acting: Official, starts_on: date, ends_on: date, by, note="") -> ApprovalDelegation:
    errors = {}
    note = limits.L.one_line(note)
    limits.L.check_length(errors, "note", note, limits.L.DELEGATION_NOTE)
    if ends_on < starts_on:
        errors["ends_on"] = _("The end is before the start.")
    if leader.pk == acting.pk:
        errors["acting"] = _("Choose another leader.")
    for who, key in ((leader, "leader"), (acting, "acting")):
        if not who.position.in_leadership_group:
            errors[key] = _("Only holders of leadership positions approve missions.")
    if errors:
        raise ValidationError(errors)
    delegation = ApprovalDelegation.objects.create(
        leader=leader, acting=acting, starts_on=starts_on, ends_on=ends_on, note=note, created_by=by
    )
    audit(delegation, "missions.delegation.created", by=by, leader=leader.pk, acting=acting.pk,
          starts_on=str(starts_on), ends_on=str(ends_on))
    return delegation


def may_reassign(order: MissionOrder, user) -> bool:
    """An administrator, or a clerk of the Cabinet or GDAF (issuing or returns office), may send a waiting
    request to another leader."""
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return clerk_issuer(user) is not None or in_returns_office(user)


@transaction.atomic
def order_reassign_approver(*, order: MissionOrder, by, approver: Official, reason: str) -> MissionOrder:
    """Send a waiting request to another leader, with a reason; audited, and both leaders are told."""
    reason = _require(reason)
    locked = MissionOrder.objects.select_for_update(of=("self",)).select_related("approver").get(pk=order.pk)
    if locked.state != State.SUBMITTED:
        raise TransitionRefused(_("Only a request waiting for approval can be sent to another leader."))
    if not may_reassign(locked, by):
        raise TransitionRefused(_("Only the Cabinet, GDAF or an administrator can send a request to another leader."))
    if approver is not None and approver.pk == locked.approver_id:
        raise TransitionRefused(_("The request is already with this leader."))
    problem = rules.approver_error(approver, requested_by_id=locked.requested_by_id,
                                   traveller_ids=list(locked.travellers.values_list("official_id", flat=True)))
    if problem:
        raise ValidationError({"approver": problem})
    previous = locked.approver
    locked.approver = approver
    locked.save(update_fields=["approver", "updated"])
    trail.record(locked, "reassigned", by=by, from_state=locked.state, to_state=locked.state,
                 **{"from": previous.pk if previous else None, "from_name": str(previous) if previous else "",
                    "to": approver.pk, "to_name": str(approver), "reason": reason})
    events.emit(locked, events.REASSIGNED, actor=by, note=reason, previous=previous)
    return locked


@transaction.atomic
def delegation_end(*, delegation: ApprovalDelegation, by, today: date | None = None) -> ApprovalDelegation:
    """End an acting approval early (from today on the acting leader no longer approves); they are told."""
    today = today or timezone.localdate()
    delegation = ApprovalDelegation.objects.select_for_update(of=("self",)).select_related("leader", "acting").get(pk=delegation.pk)
    me = official_of(by)
    if not (has_role(by, Role.ADMINISTRATOR) or (me is not None and me.pk == delegation.leader_id)):
        raise TransitionRefused(_("Only the leader who gave the acting approval can end it."))
    if delegation.ends_on < today:
        raise TransitionRefused(_("This acting approval has already ended."))
    ended = today - timedelta(days=1)
    if ended < delegation.starts_on:
        delegation.delete()
        delegation.ends_on = ended
    else:
        delegation.ends_on = ended
        delegation.save(update_fields=["ends_on"])
    audit(delegation.acting, "missions.delegation.ended", by=by, leader=delegation.leader_id,
          acting=delegation.acting_id, ended_on=str(ended))
    events.delegation_ended.send(sender=ApprovalDelegation, delegation=delegation, actor=by)
    return delegation


# --- documents ----------------------------------------------------------------------


def document_request(*, order: MissionOrder, by=None, reason: str, language: str = "km") -> OrderDocument:
    """Ask for a new version of the order's PDF; the render runs on commit in the worker."""
    with transaction.atomic():
        MissionOrder.objects.select_for_update().filter(pk=order.pk).exists()
        last = OrderDocument.objects.filter(order=order, language=language).order_by("-version").first()
        doc = OrderDocument.objects.create(
            order=order, language=language, version=(last.version + 1) if last else 1, reason=reason
        )
        trail.record(order, "document_requested", by=by, document=doc.pk, version=doc.version, language=language,
                     reason=reason)
        queue.after_commit("missions.render_document", doc.pk)
    return doc


def document_rerender(*, order: MissionOrder, by, language: str = "km") -> OrderDocument:
    """A clerk of the issuing unit asks for a new version of the PDF (``permissions.may_rerender``); logged and
    audited with them by ``document_request``."""
    if not may_rerender(order, by):
        raise TransitionRefused(_("Only a clerk of the issuing unit can render the order again."))
    if language not in ("km", "en"):
        raise ValueError(f"no PDF in language {language!r}")
    return document_request(order=order, by=by, reason=OrderDocument.Reason.RERENDER, language=language)
