"""Mission orders (Instruction 996 B.1–B.3) as a state machine.

Transitions live on the model with their permission and side-effect-free
conditions; ``missions.services`` is the only caller: it locks the row, checks
with the FSM, transitions, saves and writes the log line in one transaction.
"""

import csv
import secrets
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from common import limits
from common.language import reads_english
from common.loading import FastLoading
from common.storage import private_storage, random_upload_path
from common.templatetags.portal import day, num
from khmer.digits import khmer_number, to_khmer_digits
from ministry.models import Official, Province, Unit

from . import permissions as perm
from . import rules


@lru_cache(maxsize=1)
def countries() -> dict[str, tuple[str, str]]:
    with open(Path(__file__).resolve().parent / "data" / "countries.csv", encoding="utf-8") as fh:
        return {row["code"]: (row["name_km"], row["name_en"]) for row in csv.DictReader(fh)}


def country_choices():
    lang_en = reads_english()
    return [(code, en if lang_en else km) for code, (km, en) in sorted(countries().items())]


def new_verification_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    ISSUED = "issued", _("Issued")
    REVOKED = "revoked", _("Revoked")
    RETURNED = "returned", _("Returned")
    SENT_BACK = "sent_back", _("Sent back")
    ACCEPTED = "accepted", _("Accepted")


# GDAF's returns queue (B.3): returns to check, sent back, and issued orders past their return date.
# The queue and its partial index use this one condition, so that PostgreSQL matches them.
IN_RETURNS_QUEUE = Q(state__in=[State.RETURNED, State.SENT_BACK]) | Q(state=State.ISSUED, overdue_since__isnull=False)


class Basis(models.TextChoices):
    INVITATION = "invitation", _("Invitation letter")
    APPROVAL = "approval", _("Leadership approval in principle")


class Means(models.TextChoices):
    MINISTRY_CAR = "ministry_car", _("Ministry car")
    PRIVATE_CAR = "private_car", _("Private car")
    BUS = "bus", _("Bus")
    PLANE = "plane", _("Plane")
    BOAT = "boat", _("Boat")
    TRAIN = "train", _("Train")
    MOTORBIKE = "motorbike", _("Motorbike")


class IssueCounter(models.Model):
    """The last number given by an issuer in a calendar year; locked while numbering."""

    issuing_unit = models.ForeignKey(Unit, verbose_name=_("issuing unit"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuing_unit", "year"], name="one_counter_per_issuer_year")]
        verbose_name = _("issue counter")
        verbose_name_plural = _("issue counters")


class MissionOrder(FastLoading, FSMModelMixin, models.Model):
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    issuing_unit = models.ForeignKey(
        Unit,
        verbose_name=_("issuing unit"),
        on_delete=models.PROTECT,
        related_name="issued_orders",
        limit_choices_to={"may_issue_orders": True},
        help_text=rules.B1_MESSAGE,
    )
    requesting_unit = models.ForeignKey(
        Unit, verbose_name=_("requesting unit"), on_delete=models.PROTECT, related_name="requested_orders"
    )
    requested_by = models.ForeignKey(
        Official, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="requested_orders"
    )
    purpose_km = models.TextField(_("purpose (Khmer)"), max_length=limits.PURPOSE)
    purpose_en = models.TextField(_("purpose (English)"), blank=True, max_length=limits.PURPOSE)

    basis = models.CharField(_("basis"), max_length=12, choices=Basis.choices, help_text=_("Instruction 996 B.2."))
    invitation_sender = models.CharField(_("inviting body"), max_length=200, blank=True)
    invitation_number = models.CharField(_("letter number"), max_length=60, blank=True)
    invitation_date = models.DateField(_("letter date"), null=True, blank=True)
    invitation_scan = models.FileField(
        _("scanned letter"), storage=private_storage, upload_to=random_upload_path, blank=True, max_length=200
    )
    approval_leader = models.ForeignKey(
        Official,
        verbose_name=_("approving leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approvals_in_principle",
        limit_choices_to={"position__in_leadership_group": True},
    )
    approval_date = models.DateField(_("approval date"), null=True, blank=True)
    approval_note = models.TextField(_("approval note"), blank=True, max_length=limits.APPROVAL_NOTE)
    approval_scan = models.FileField(
        _("scanned approval"), storage=private_storage, upload_to=random_upload_path, blank=True, max_length=200
    )

    approver = models.ForeignKey(
        Official,
        verbose_name=_("approver"),
        null=True,
        on_delete=models.PROTECT,
        related_name="orders_to_approve",
        limit_choices_to={"position__in_leadership_group": True},
        help_text=_("The leader asked to approve this request."),
    )
    approved_by = models.ForeignKey(
        Official, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders_approved"
    )
    approved_acting_for = models.ForeignKey(
        Official, verbose_name=_("approved acting for"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders_approved_by_acting"
    )
    signer = models.ForeignKey(
        Official, verbose_name=_("signer"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders_signed"
    )

    departure_date = models.DateField(_("departure date"))
    return_date = models.DateField(_("return date"))

    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, editable=False)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True, editable=False)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True, editable=False)
    verification_token = models.CharField(_("verification token"), max_length=64, unique=True, default=new_verification_token, editable=False)

    reason = models.TextField(_("reason"), blank=True, max_length=limits.REASON,
                              help_text=_("Last rejection, revocation or send-back reason."))
    report_text = models.TextField(_("mission report"), blank=True, max_length=limits.REPORT)
    report_file = models.FileField(
        _("report attachment"), storage=private_storage, upload_to=random_upload_path, blank=True, max_length=200
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True, editable=False)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("return filed by"), null=True,
                                    blank=True, editable=False, on_delete=models.SET_NULL, related_name="+")
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True, editable=False, db_index=True)

    created = models.DateTimeField(_("created"), default=timezone.now, editable=False, db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    # The travellers' names, one a line, for searching a name many share (missions/search_names.py keeps them
    # as travellers and names change): trigram-indexed on PostgreSQL (missions 0013).
    traveller_names_km = models.TextField(_("travellers' Khmer names"), blank=True, default="", editable=False)
    traveller_names_latin = models.TextField(_("travellers' Latin names"), blank=True, default="", editable=False)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("mission order")
        verbose_name_plural = _("mission orders")
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_unit", "year", "number"],
                condition=Q(number__isnull=False),
                name="unique_number_per_issuer_year",
            ),
            models.CheckConstraint(condition=Q(return_date__gte=models.F("departure_date")), name="return_after_departure"),
        ]
        indexes = [
            models.Index(fields=["state", "-created"]),
            models.Index(fields=["requesting_unit", "state"]),
            models.Index(fields=["issuing_unit", "state"]),
            models.Index(fields=["approver", "state"]),
            models.Index(fields=["departure_date"]),
            models.Index(fields=["return_date", "state"]),
            # Lists in their default order, skipping to a later page of a unit's orders without reading rows.
            models.Index(fields=["-created", "-id", "requesting_unit"], name="order_list"),
            # The returns queue in its own order (overdue first): its count is an index-only scan and its
            # first page the index's first 50 entries.  The queue leaves out a clerk's own requests and returns
            # (``selectors.returns_queue``): with those two columns in the index (PostgreSQL) the count reads no
            # row of the table, 11 000 of them at the Ministry's size (15 ms -> 1.6 ms).
            models.Index(fields=["overdue_since", "return_date", "id"], condition=IN_RETURNS_QUEUE,
                         include=["requested_by", "returned_by"], name="returns_queue"),
        ]

    def __str__(self):
        return self.display_number or self.request_label(self.pk)

    # --- reading ------------------------------------------------------------
    @property
    def display_number(self) -> str:
        if not self.number:
            return ""
        return self.format_number(self.number, self.issuing_unit.abbreviation_km, self.issuing_unit.abbreviation_en)

    @staticmethod
    def format_number(number: int, abbreviation_km: str, abbreviation_en: str, lang: str | None = None) -> str:
        """An issued order's number with its issuer: ``លេខ ០០៧ អ.ហ.ក`` / ``No. 007 GDAF``."""
        if reads_english(lang):
            return f"No. {number:03d} {abbreviation_en or abbreviation_km}"
        return f"លេខ {khmer_number(number, width=3)} {abbreviation_km}"

    @staticmethod
    def request_label(pk) -> str:
        """An order not yet issued (no number): ``សំណើលេខ ១២`` / ``Request #12``."""
        return _("Request #%(id)s") % {"id": pk if reads_english() else to_khmer_digits(pk)}

    @property
    def purpose(self):
        return self.purpose_en if reads_english() and self.purpose_en else self.purpose_km

    @property
    def is_overdue(self):
        return self.overdue_since is not None and self.state in (State.ISSUED, State.SENT_BACK)

    def basis_errors(self) -> dict:
        """What is missing or wrong in the basis (B.2), by field (``rules.basis_errors``)."""
        return rules.basis_errors(
            basis=self.basis, invitation_sender=self.invitation_sender, invitation_number=self.invitation_number,
            invitation_date=self.invitation_date, approval_leader=self.approval_leader,
            approval_date=self.approval_date, requested_by_id=self.requested_by_id,
            traveller_ids=list(self.travellers.values_list("official_id", flat=True)) if self.pk else [],
            requested_on=timezone.localdate(self.created))

    def basis_is_valid(self) -> bool:
        return not self.basis_errors()

    def basis_scan_missing(self) -> str | None:
        return rules.basis_scan_missing(basis=self.basis, invitation_scan=self.invitation_scan,
                                        approval_scan=self.approval_scan)

    def has_basis_scan(self) -> bool:
        return self.basis_scan_missing() is None

    def has_itinerary(self) -> bool:
        return self.travellers.exists() and self.legs.exists()

    def return_progress(self) -> "ReturnProgress":
        """How far the return (B.3) is: the stamped sheets needed, those still missing, the report.  The one
        count of the return, read by the return page, the file-return condition and its refusal message."""
        travellers = list(self.travellers.select_related("official"))
        legs = list(self.legs.select_related("from_province", "to_province"))
        done = set(LegStamp.objects.filter(traveller__order=self, leg__order=self).exclude(scan="")
                   .values_list("traveller_id", "leg_id"))
        missing = [(t, leg) for t in travellers for leg in legs if (t.pk, leg.pk) not in done]
        return ReturnProgress(needed=len(travellers) * len(legs), missing=missing,
                              report_written=bool(self.report_text.strip()))

    def missing_stamps(self) -> list[tuple["Traveller", "Leg"]]:
        """Each (traveller, leg) of the whole delegation still without a stamped sheet (B.3), in order."""
        return self.return_progress().missing

    def return_is_complete(self) -> bool:
        return self.return_progress().complete

    def last_leg_date(self):
        return self.legs.aggregate(last=models.Max("travel_date"))["last"] or self.return_date

    def return_is_due(self) -> bool:
        """A return is filed only once the last leg has been travelled."""
        return timezone.localdate() >= self.last_leg_date()

    def issuer_may_issue(self) -> bool:
        return bool(self.issuing_unit.may_issue_orders)

    # --- transitions ----------------------------------------------------------
    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED,
                conditions=[has_itinerary, basis_is_valid], permission=perm.may_submit,
                custom={"label": _("Submit")})
    def submit(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.APPROVED, permission=perm.may_approve,
                custom={"label": _("Approve"), "admin": True, "button_name": _("Approve")})
    def approve(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.REJECTED, permission=perm.may_approve,
                custom={"label": _("Reject"), "admin": True, "button_name": _("Reject")})
    def reject(self):
        pass

    @transition(field=state, source=[State.DRAFT, State.SUBMITTED, State.APPROVED], target=State.CANCELLED,
                permission=perm.may_cancel, custom={"label": _("Cancel")})
    def cancel(self):
        pass

    @transition(field=state, source=State.APPROVED, target=State.ISSUED,
                conditions=[basis_is_valid, has_basis_scan, issuer_may_issue, has_itinerary], permission=perm.may_issue,
                custom={"label": _("Issue")})
    def issue(self):
        pass

    @transition(field=state, source=[State.ISSUED, State.SENT_BACK], target=State.REVOKED,
                permission=perm.may_issue, custom={"label": _("Revoke")})
    def revoke(self):
        pass

    @transition(field=state, source=[State.ISSUED, State.SENT_BACK], target=State.RETURNED,
                conditions=[return_is_due, return_is_complete], permission=perm.may_file_return,
                custom={"label": _("Submit the return")})
    def file_return(self):
        pass

    @transition(field=state, source=State.RETURNED, target=State.SENT_BACK, permission=perm.may_check_return,
                custom={"label": _("Send back")})
    def send_back(self):
        pass

    @transition(field=state, source=State.RETURNED, target=State.ACCEPTED, permission=perm.may_check_return,
                custom={"label": _("Accept the return")})
    def accept(self):
        pass


class Traveller(models.Model):
    order = models.ForeignKey(MissionOrder, verbose_name=_("mission order"), on_delete=models.CASCADE,
                              related_name="travellers")
    official = models.ForeignKey(Official, verbose_name=_("official"), on_delete=models.PROTECT, related_name="missions")
    is_head = models.BooleanField(_("head of delegation"), default=False)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)
    # What the official was when the order was made: the printed order must not change later.
    position_km = models.CharField(_("position (Khmer)"), max_length=200, blank=True)
    position_en = models.CharField(_("position (English)"), max_length=200, blank=True)
    unit_km = models.CharField(_("unit (Khmer)"), max_length=200, blank=True)
    unit_en = models.CharField(_("unit (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["sort", "id"]
        verbose_name = _("traveller")
        verbose_name_plural = _("travellers")
        constraints = [models.UniqueConstraint(fields=["order", "official"], name="traveller_once_per_order")]
        indexes = [models.Index(fields=["official", "order"])]

    def __str__(self):
        return str(self.official)

    def snapshot(self):
        o = self.official
        self.position_km, self.position_en = o.position.title_km, o.position.title_en
        self.unit_km, self.unit_en = o.unit.name_km, o.unit.name_en


class Leg(models.Model):
    order = models.ForeignKey(MissionOrder, verbose_name=_("mission order"), on_delete=models.CASCADE,
                              related_name="legs")
    seq = models.PositiveSmallIntegerField(_("order"))
    from_province = models.ForeignKey(Province, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("from (province)"))
    from_country = models.CharField(_("from (country)"), max_length=2, blank=True)
    from_city = models.CharField(_("from (city)"), max_length=100, blank=True)
    to_province = models.ForeignKey(Province, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("to (province)"))
    to_country = models.CharField(_("to (country)"), max_length=2, blank=True)
    to_city = models.CharField(_("to (city)"), max_length=100, blank=True)
    travel_date = models.DateField(_("date"))
    means = models.CharField(_("means of travel"), max_length=20, choices=Means.choices)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("leg")
        verbose_name_plural = _("itinerary")
        constraints = [
            models.UniqueConstraint(fields=["order", "seq"], name="leg_seq_unique"),
            models.CheckConstraint(
                condition=(Q(from_province__isnull=False) & Q(from_country="") & Q(from_city=""))
                | (Q(from_province__isnull=True) & ~Q(from_country="") & ~Q(from_city="")),
                name="leg_from_is_province_or_foreign_place",
            ),
            models.CheckConstraint(
                condition=(Q(to_province__isnull=False) & Q(to_country="") & Q(to_city=""))
                | (Q(to_province__isnull=True) & ~Q(to_country="") & ~Q(to_city="")),
                name="leg_to_is_province_or_foreign_place",
            ),
        ]
        # The province filter of the lists probes an order's legs for one province: index-only.
        indexes = [models.Index(fields=["to_province"]), models.Index(fields=["order", "to_province"])]

    @staticmethod
    def place_name(province, country, city, lang=None):
        if province is not None:
            return Province.place_label(province.kind, province.name_km, province.name_en, lang)
        return Leg.foreign_place(country, city, lang)

    @staticmethod
    def foreign_place(country: str, city: str, lang=None) -> str:
        """A place abroad: ``បាងកក ប្រទេសថៃ`` / ``Bangkok, Thailand``."""
        km, en = countries().get(country, (country, country))
        return f"{city}, {en}" if reads_english(lang) else f"{city} ប្រទេស{km}"

    def origin(self, lang=None):
        return self.place_name(self.from_province, self.from_country, self.from_city, lang)

    def destination(self, lang=None):
        return self.place_name(self.to_province, self.to_country, self.to_city, lang)

    def __str__(self):
        return f"{self.origin()} → {self.destination()}"


class LegStamp(models.Model):
    """B.3: one traveller's proof of one leg — the stamped visa sheet, and the dates."""

    traveller = models.ForeignKey(Traveller, verbose_name=_("traveller"), on_delete=models.CASCADE,
                                  related_name="stamps")
    leg = models.ForeignKey(Leg, verbose_name=_("leg"), on_delete=models.CASCADE, related_name="stamps")
    departed_on = models.DateField(_("departed on"))
    arrived_on = models.DateField(_("arrived on"))
    scan = models.FileField(_("stamped visa sheet"), storage=private_storage, upload_to=random_upload_path,
                            max_length=200)
    scan_type = models.CharField(max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["traveller__sort", "leg__seq"]
        verbose_name = _("stamp")
        verbose_name_plural = _("stamps")
        constraints = [
            models.UniqueConstraint(fields=["traveller", "leg"], name="one_stamp_per_traveller_leg"),
            models.CheckConstraint(condition=Q(arrived_on__gte=models.F("departed_on")), name="arrival_after_departure"),
        ]


@dataclass(frozen=True)
class ReturnProgress:
    """``MissionOrder.return_progress()``: one stamped sheet per traveller and leg, and the report."""

    needed: int
    missing: list
    report_written: bool

    @property
    def done(self) -> int:
        return self.needed - len(self.missing)

    @property
    def complete(self) -> bool:
        return self.report_written and self.needed > 0 and not self.missing


class OrderLog(FastLoading, models.Model):
    """The order's own timeline: who moved it from which state to which, when, and why.

    Written only by ``missions.trail.record`` (which writes the ministry's audit entry in the same call).
    ``note`` is what a person typed (a reason, an approval note); ``data`` holds what the system knows, one
    small schema per action (``DATA``), and the timeline is rendered from it (``details``)."""

    DATA = {
        "document_requested": ("document", "version", "language", "reason"),
        "stamp_recorded": ("traveller", "traveller_name", "leg"),
        "reassigned": ("from", "from_name", "to", "to_name", "reason"),
        "overdue": ("on",),
        "overdue_escalated": ("on",),
    }
    """The keys of ``data`` per action; an action not named here has none."""

    order = models.ForeignKey(MissionOrder, verbose_name=_("mission order"), on_delete=models.CASCADE,
                              related_name="log")
    created = models.DateTimeField(_("when"), default=timezone.now)
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True,
                              on_delete=models.SET_NULL)
    acting_for = models.ForeignKey(Official, verbose_name=_("acting for"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("order log entry")
        verbose_name_plural = _("order log")

    def __str__(self):
        if self.to_state in State.values:
            moved = State(self.to_state).label
            if self.from_state in State.values:
                moved = f"{State(self.from_state).label} → {moved}"
            return f"{self.order} · {moved}"
        return f"{self.order} · {self.action}"

    def details(self, travellers=()) -> str:
        """The line under the entry, in the reader's language: from ``data``, else the note as written.
        ``travellers`` (the order's, with their officials) lets a recorded leg name its traveller in the reader's
        language, whatever language the recorder used."""
        d = self.data or {}
        if self.action == "document_requested" and "version" in d:
            values = {"version": num(d["version"]), "language": _("English") if d.get("language") == "en"
                      else _("Khmer")}
            if d.get("reason") in OrderDocument.Reason.values:
                return str(_("Version %(version)s, %(language)s: %(reason)s")
                           % {**values, "reason": OrderDocument.Reason(d["reason"]).label})
            return str(_("Version %(version)s, %(language)s") % values)
        if self.action == "stamp_recorded" and "leg" in d:
            return str(_("%(traveller)s, leg %(leg)s") % {"traveller": self._traveller_name(d, travellers),
                                                          "leg": num(d["leg"])})
        if self.action == "reassigned" and "to_name" in d:
            return f"{d.get('from_name', '')} → {d['to_name']}: {d.get('reason', '')}"
        if self.action in ("overdue", "overdue_escalated"):
            on = d.get("on") or self.note
            try:
                return day(date.fromisoformat(on))
            except ValueError:
                return on
        return self.note

    @staticmethod
    def _traveller_name(d: dict, travellers) -> str:
        """The recorded traveller as the reader names them; rows filled from old notes match by the name written
        (in either language)."""
        written = d.get("traveller_name", "")
        for official in (t.official for t in travellers):
            if d.get("traveller") == official.pk:
                return str(official)
            if d.get("traveller") is None:
                names = set()
                for lang in ("km", "en"):
                    with translation.override(lang):
                        names.add(str(official))
                if written in names:
                    return str(official)
        return written


class ApprovalDelegation(models.Model):
    """A leader lets another leader approve in their name for a date range."""

    leader = models.ForeignKey(Official, verbose_name=_("leader"), on_delete=models.CASCADE, related_name="delegations_given",
                               limit_choices_to={"position__in_leadership_group": True})
    acting = models.ForeignKey(Official, verbose_name=_("acting leader"), on_delete=models.CASCADE,
                               related_name="delegations_received",
                               limit_choices_to={"position__in_leadership_group": True})
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("acting approval")
        verbose_name_plural = _("acting approvals")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_dates_ordered"),
            models.CheckConstraint(condition=~Q(leader=models.F("acting")), name="delegation_to_someone_else"),
        ]

    def __str__(self):
        return f"{self.acting} ← {self.leader} ({self.starts_on} – {self.ends_on})"


class OrderDocument(models.Model):
    """A rendered PDF of an issued order. Never changed: a re-render is a new version."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to render")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Render failed")

    class Reason(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REVOKED = "revoked", _("Revoked")
        RERENDER = "re-render", _("Rendered again")

    order = models.ForeignKey(MissionOrder, verbose_name=_("mission order"), on_delete=models.CASCADE,
                              related_name="documents")
    version = models.PositiveIntegerField(_("version"))
    language = models.CharField(_("language"), max_length=2, default="km")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True, choices=Reason.choices)
    file = models.FileField(_("file"), storage=private_storage, upload_to=random_upload_path, blank=True,
                            max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    render_ms = models.PositiveIntegerField(_("render time (ms)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    created = models.DateTimeField(_("requested at"), default=timezone.now)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    content = models.JSONField(_("printed content"), default=dict, blank=True,
                               help_text=_("What this version prints, stored when it is first rendered."))

    class Meta:
        ordering = ["-version"]
        verbose_name = _("order document")
        verbose_name_plural = _("order documents")
        constraints = [models.UniqueConstraint(fields=["order", "language", "version"], name="document_version_unique")]
