"""The rules of Instruction 996 that several places check, each written once.

The model's transition conditions, the services and (for their help texts) the forms read them from here;
forms only check the shape of input.  Nothing here reads the database except ``approvers``: each rule takes
plain values, so that a request is checked the same way before it is saved and after."""

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.templatetags.portal import day
from ministry.models import Official, Role

B1_MESSAGE = _("Only the Cabinet or GDAF may issue a mission order (Instruction 996 B.1).")


# --- B.2: the basis of a mission ---------------------------------------------------------------


def basis_errors(*, basis: str, invitation_sender="", invitation_number="", invitation_date=None,
                 approval_leader=None, approval_date=None, requested_by_id=None, traveller_ids=(),
                 requested_on: date) -> dict:
    """What is missing or wrong in the basis of a request made on ``requested_on``, by field."""
    errors = {}
    if basis == "invitation":
        if not invitation_sender:
            errors["invitation_sender"] = _("An invitation letter needs the inviting body.")
        if not invitation_number:
            errors["invitation_number"] = _("An invitation letter needs its number.")
        if not invitation_date:
            errors["invitation_date"] = _("An invitation letter needs its date.")
        if invitation_date and invitation_date > requested_on:
            errors["invitation_date"] = _("The letter is dated after the request: it must come before it.")
    elif basis == "approval":
        if approval_leader is None or not approval_leader.position.in_leadership_group:
            errors["approval_leader"] = _("An approval in principle needs the leader who gave it.")
        elif approval_leader.pk == requested_by_id or approval_leader.pk in set(traveller_ids):
            errors["approval_leader"] = _(
                "The approval in principle must come from a leader who neither asks for nor travels on the mission.")
        if not approval_date:
            errors["approval_date"] = _("An approval in principle needs its date.")
        elif approval_date > requested_on:
            errors["approval_date"] = _("The approval is dated after the request: it must come before it.")
    else:
        errors["basis"] = _("Choose the basis: an invitation letter or an approval in principle (B.2).")
    return errors


def basis_scan_missing(*, basis: str, invitation_scan, approval_scan) -> str | None:
    """Before issue the scanned letter or approval must be attached (B.2); the message says which."""
    if basis == "invitation" and not invitation_scan:
        return str(_("Attach the scanned invitation letter before the order is issued (B.2)."))
    if basis == "approval" and not approval_scan:
        return str(_("Attach the scanned approval in principle before the order is issued (B.2)."))
    return None


# --- approval routing -------------------------------------------------------------------------


def can_approve_q(prefix: str = "") -> Q:
    """Officials who can act on a request: an active leader with an active login in the approvers' role
    (the Telegram buttons act through that login too)."""
    return Q(**{f"{prefix}active": True, f"{prefix}position__in_leadership_group": True,
                f"{prefix}user__is_active": True, f"{prefix}user__groups__name": Role.APPROVER})


def approvers(requester: Official | None, exclude_ids=()):
    """The leaders a request by ``requester`` may be sent to: those who can act, never the requester."""
    qs = Official.objects.filter(can_approve_q()).select_related("position", "unit").distinct()
    excluded = {*exclude_ids, *([requester.pk] if requester is not None else [])}
    return qs.exclude(pk__in=excluded).order_by("position__rank", "name_latin")


def approver_proposal(requester: Official | None, traveller_ids=()) -> Official | None:
    """The approver proposed for a request: the nearest head in the requester's chain of command (their
    unit, then each unit above it) who can act and neither asks for nor travels on the mission."""
    if requester is None:
        return None
    candidates = {o.unit_id: o for o in approvers(requester, traveller_ids).filter(
        position__heads_unit=True, unit__in=requester.unit.lineage_ids()).order_by("-position__rank")}
    return next((candidates[u] for u in requester.unit.lineage_ids() if u in candidates), None)


def approver_error(approver: Official | None, *, requested_by_id, traveller_ids) -> str | None:
    if approver is None or not approver.position.in_leadership_group:
        return str(_("Choose a leader (a holder of a leadership position) to approve the request."))
    if approver.pk in set(traveller_ids):
        return str(_("A traveller cannot approve their own mission."))
    if approver.pk == requested_by_id:
        return str(_("You cannot approve your own request: choose another leader."))
    if not Official.objects.filter(can_approve_q(), pk=approver.pk).exists():
        return str(_("%(leader)s has no login to the portal and cannot approve: choose a leader who can.")
                   % {"leader": approver})
    return None


# --- B.3: the return ----------------------------------------------------------------------------


def stamp_date_errors(*, departed_on: date, arrived_on: date, mission_start: date, mission_end: date,
                      today: date) -> dict:
    errors = {}
    if arrived_on < departed_on:
        errors["arrived_on"] = _("The arrival is before the departure.")
    for name, value in (("departed_on", departed_on), ("arrived_on", arrived_on)):
        if value > today:
            errors[name] = _("This date is in the future.")
        elif not (mission_start <= value <= mission_end):
            errors[name] = _("This date is outside the mission (%(start)s – %(end)s).") % {
                "start": day(mission_start), "end": day(mission_end)}
    return errors

