"""The Django admin for mission orders: read-mostly, every move through the services.

The state is read-only; approve and reject use django-fsm-2's admin buttons, but
the transition hook calls ``order_approve`` / ``order_reject`` so the lock, the
log, the events and the permission checks are the same as on the pages."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext, ngettext
from django_fsm.admin import FSMAdminMixin

from common.admin_lists import BoundedCountAdmin
from khmer.digits import from_khmer_digits
from ministry.admin_audit import AuditedAdminMixin
from ministry.models import Role
from ministry.roles import STAFF_ROLES, has_role, official_of

from . import services
from .models import (
    ApprovalDelegation,
    IssueCounter,
    Leg,
    LegStamp,
    MissionOrder,
    OrderDocument,
    OrderLog,
    State,
    Traveller,
)
from .fast_lists import filter_choices
from .selectors import filter_orders, work_q
from .views_order import LOG_LABELS

def _may_use(request) -> bool:
    return request.user.is_active and request.user.is_staff and (
        request.user.is_superuser or has_role(request.user, *STAFF_ROLES)
    )


def _visible_orders(request):
    return MissionOrder.objects.filter(work_q(request.user))


class IssuerFilter(admin.SimpleListFilter):
    """The issuers (Cabinet, GDAF), not all 150 units."""

    title = _("issuer")
    parameter_name = "issuer"

    def lookups(self, request, model_admin):
        return filter_choices("issuer")  # issuers(), kept per process as the portal's filter keeps them

    def queryset(self, request, queryset):
        return queryset.filter(issuing_unit=self.value()) if str(self.value() or "").isdigit() else queryset


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"
    state_path = "state"

    def lookups(self, request, model_admin):
        return State.choices

    def queryset(self, request, queryset):
        return queryset.filter(**{self.state_path: self.value()}) if self.value() in State.values else queryset


class ToStateFilter(StateFilter):
    title = _("to state")
    parameter_name = "to_state"
    state_path = "to_state"


class ActionFilter(admin.SimpleListFilter):
    """The log's actions by name, from the list of actions rather than a scan of every log row."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return list(LOG_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReadOnlyAdmin(AuditedAdminMixin, BoundedCountAdmin, admin.ModelAdmin):
    """Rows written only by the services: visible to the staff who may see their order, never edited here."""

    order_path = "order"
    list_per_page = 50

    def has_module_permission(self, request):
        return _may_use(request)

    def has_view_permission(self, request, obj=None):
        return _may_use(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser or not self.order_path:
            return qs
        return qs.filter(**{f"{self.order_path}__in": _visible_orders(request).values("pk")})


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return _may_use(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DraftEditableInline(ReadOnlyInline):
    """Editable by a superuser while the order is a draft; read-only once submitted."""

    def _editable(self, request, obj):
        return request.user.is_superuser and obj is not None and obj.state == State.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)


class TravellerInline(DraftEditableInline):
    model = Traveller
    fields = ("official", "is_head", "sort", "position_km", "unit_km")
    readonly_fields = ("position_km", "unit_km")
    autocomplete_fields = ()
    raw_id_fields = ("official",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("official")


class LegInline(DraftEditableInline):
    model = Leg
    fields = ("seq", "from_province", "from_country", "from_city", "to_province", "to_country", "to_city",
              "travel_date", "means")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("from_province", "to_province")


def _log_action(entry) -> str:
    return str(LOG_LABELS.get(entry.action, entry.action))


_STATE_LABELS: dict[str, dict[str, str]] = {}


def _state_label(value) -> str:
    """A state by its name in the current language (each language's names read once: a log page asks 100 times)."""
    language = translation.get_language()
    labels = _STATE_LABELS.get(language)
    if labels is None:
        labels = _STATE_LABELS[language] = {state.value: str(state.label) for state in State}
    return labels.get(value) or (value or "—")


class LogLabels:
    """Log rows as people read them: the action and the states by their names, not their codes."""

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, entry):
        return _log_action(entry)

    @admin.display(description=_("from state"), ordering="from_state")
    def from_state_label(self, entry):
        return _state_label(entry.from_state)

    @admin.display(description=_("to state"), ordering="to_state")
    def to_state_label(self, entry):
        return _state_label(entry.to_state)

    @admin.display(description=_("details"))
    def details(self, entry):
        return entry.details()


def _log_rows(order_id, travellers):
    """The order's timeline on its decision page, as a plain table of the log's labelled rows.  It was a
    read-only inline: a formset of one form per row, a third of the page's time for nothing to edit."""
    rows = OrderLog.objects.filter(order_id=order_id).select_related("actor", "acting_for").order_by("created", "id")
    return [
        {"created": e.created, "action": _log_action(e), "from_state": _state_label(e.from_state),
         "to_state": _state_label(e.to_state), "actor": e.actor or "", "acting_for": e.acting_for or "",
         "details": e.details(travellers)}
        for e in rows
    ]


_ORDER_JOINED = ("issuing_unit", "requesting_unit", "requested_by")  # never empty: inner joins
_ORDER_OFFICIALS = ("approval_leader", "approver", "approved_by", "approved_acting_for", "signer")


def _read_officials(order):
    """The order's other officials (often none yet), read in one query.  Joined to the order as well (eight
    joins, five of them outer), PostgreSQL spent 9-25 ms choosing the join order of a query then run in 0.3 ms."""
    from ministry.models import Official

    fields = [MissionOrder._meta.get_field(name) for name in _ORDER_OFFICIALS]
    keys = {getattr(order, f.attname) for f in fields} - {None}
    found = Official.objects.in_bulk(keys) if keys else {}
    for f in fields:
        key = getattr(order, f.attname)
        f.set_cached_value(order, None if key is None else found[key])


@admin.register(MissionOrder)
class MissionOrderAdmin(AuditedAdminMixin, BoundedCountAdmin, FSMAdminMixin, admin.ModelAdmin):
    fsm_fields = ["state"]
    change_form_template = "missions/admin/order_change_form.html"
    fsm_transition_form_template = "missions/admin/order_transition_form.html"
    fsm_forms = {"reject": RejectForm}
    fsm_transition_not_allowed_msg = _("You are not allowed to do that with this order.")
    # The issuer is a filter (two of them): the columns left fit a 1366 px screen.
    list_display = ("__str__", "state", "requesting_unit", "requested_by", "approver", "departure_date", "return_date",
                    "overdue_since")
    list_filter = (StateFilter, IssuerFilter, "basis", "departure_date")
    # The portal's search (ministry.selectors.official_search_q, trigram-indexed): a traveller's name or
    # civil-service ID, or the order number.  See get_search_results.
    search_fields = ("number",)
    search_help_text = _("A traveller's name or civil-service ID, or the order number.")
    list_select_related = ("issuing_unit", "requesting_unit", "requested_by", "approver")  # the number reads the issuer
    list_only = ("state", "number", "created", "departure_date", "return_date", "overdue_since",
                 "issuing_unit__abbreviation_km", "issuing_unit__abbreviation_en",
                 "requesting_unit__name_km", "requesting_unit__name_en",
                 *(f"{who}__{f}" for who in ("requested_by", "approver")
                   for f in ("honorific", "name_km", "name_latin")))
    list_per_page = 50
    inlines = [TravellerInline, LegInline]
    actions = ["approve_selected"]
    # The purpose, dates, requesting unit and basis (with its scan) head the page in the summary
    # (order_change_form.html), with the travellers, the route and the timeline: the fields are not repeated.
    fieldsets = (
        (None, {"fields": ("state", "number", "year", "issued_at", "issuing_unit", "requested_by")}),
        (_("Approval"), {"fields": ("approver", "approved_by", "approved_acting_for", "signer", "reason")}),
        (_("Return"), {"fields": ("report_text", "returned_at", "overdue_since")}),
    )

    # --- who sees what ---------------------------------------------------------------
    def has_module_permission(self, request):
        return _may_use(request)

    def has_view_permission(self, request, obj=None):
        return _may_use(request)

    def has_change_permission(self, request, obj=None):
        # "Change" here only means reaching the approve / reject buttons: every field is read-only.
        return _may_use(request)

    def has_add_permission(self, request):
        return False  # requests are made on the request page, through ``order_create``

    def has_delete_permission(self, request, obj=None):
        return False  # orders are cancelled or revoked, never deleted

    def get_queryset(self, request):
        """Staff see the orders they work on (work_q): a leader the orders they approve, a clerk their issuer's."""
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        if not hasattr(request, "_work_q"):  # read once per request: the page asks for the queryset often
            request._work_q = work_q(request.user)
        return qs.filter(request._work_q)

    def get_object(self, request, object_id, from_field=None):
        """The order with everything its page shows, read once per request (the decision buttons ask again)."""
        cached = getattr(request, "_order_object", None)
        if cached is not None and str(cached.pk) == str(object_id):
            return cached
        try:
            obj = self.get_queryset(request).select_related(*_ORDER_JOINED).get(pk=int(object_id))
        except (ValueError, MissionOrder.DoesNotExist):
            return None
        _read_officials(obj)
        if request.method == "GET":
            request._order_object = obj
            travellers = getattr(request, "_summary_travellers", None)
            if travellers is not None and travellers[0] == obj.pk:
                # The decision buttons ask whether the user travels on the order: the summary has read them.
                obj._traveller_ids = {t.official_id for t in travellers[1]}
        return obj

    def get_inlines(self, request, obj):
        """Travellers and legs are edited here only on a superuser's draft; otherwise the summary above the
        form shows them, with the order's timeline."""
        if obj is not None and request.user.is_superuser and obj.state == State.DRAFT:
            return self.inlines
        return []

    def get_search_results(self, request, queryset, search_term):
        """The portal's search; a term of digits alone is an order number or a civil-service ID (names have no
        digits), which the indexes answer at once instead of a name search for digits."""
        term = search_term.strip()
        if not term:
            return queryset, False
        digits = from_khmer_digits(term).replace(" ", "")
        if digits.isdigit():
            # The few matching keys first: as sub-selects in an OR, PostgreSQL would walk every order.
            ids = {*MissionOrder.objects.filter(number=int(digits)).values_list("id", flat=True),
                   *Traveller.objects.filter(official__civil_service_id__iexact=digits).values_list("order_id", flat=True)}
            return queryset.filter(pk__in=sorted(ids)), False
        return filter_orders(queryset, q=term), False

    def get_readonly_fields(self, request, obj=None):
        names = [f for block in self.fieldsets for f in block[1]["fields"]]
        return tuple(dict.fromkeys([*super().get_readonly_fields(request, obj), *names]))

    def save_model(self, request, obj, form, change):
        """Nothing on the form is editable; state changes go through the services."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The decision page shows what is decided on: the evidence with its scan, the travellers, the route."""
        extra = dict(extra_context or {})
        if str(object_id).isdigit():
            extra["summary_travellers"] = list(Traveller.objects.filter(order_id=object_id)
                                               .select_related("official").order_by("sort", "id"))
            if request.method == "GET":
                request._summary_travellers = (int(object_id), extra["summary_travellers"])
            extra["summary_legs"] = list(Leg.objects.filter(order_id=object_id)
                                         .select_related("from_province", "to_province").order_by("seq"))
            extra["summary_log"] = _log_rows(object_id, extra["summary_travellers"])
        return super().change_view(request, object_id, form_url, extra_context=extra)

    # --- transitions through the services -------------------------------------------
    def get_fsm_block_label(self, fsm_field_name):
        return gettext("Decision")

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None):
        kwargs = dict(kwargs or {})
        try:
            if transition_name == "approve":
                services.order_approve(order=obj, by=request.user)
                done = gettext("The request was approved.")
            elif transition_name == "reject":
                services.order_reject(order=obj, by=request.user, reason=kwargs.get("reason", ""))
                done = gettext("The request was rejected.")
            else:
                raise services.TransitionRefused(gettext("That action is done on the order page, not here."))
        except services.TransitionRefused as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return False
        self.message_user(request, done, level=messages.SUCCESS)
        return True

    @admin.action(description=_("Approve the selected requests"), permissions=["change"])
    def approve_selected(self, request, queryset):
        approved, refused = 0, []
        for order in queryset:
            try:
                services.order_approve(order=order, by=request.user)
                approved += 1
            except services.TransitionRefused as exc:
                refused.append(f"{order}: {exc.message}")
        if approved:
            self.message_user(request, ngettext("%(n)s request approved.", "%(n)s requests approved.", approved)
                              % {"n": approved}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)


@admin.register(Traveller)
class TravellerAdmin(ReadOnlyAdmin):
    list_display = ("official", "order", "is_head", "position_km", "unit_km")
    list_filter = ("is_head",)
    search_fields = ("official__name_km", "official__name_latin", "official__civil_service_id", "order__number")
    list_select_related = ("official", "order__issuing_unit")


@admin.register(Leg)
class LegAdmin(ReadOnlyAdmin):
    list_display = ("order", "seq", "from_province", "from_country", "to_province", "to_country", "travel_date",
                    "means")
    list_filter = ("means", "to_province", "travel_date")
    search_fields = ("from_city", "to_city", "order__number")
    list_select_related = ("order__issuing_unit", "from_province", "to_province")


@admin.register(LegStamp)
class LegStampAdmin(ReadOnlyAdmin):
    order_path = "traveller__order"
    list_display = ("traveller", "leg", "departed_on", "arrived_on", "scan_type", "recorded_at")
    list_filter = ("scan_type", "recorded_at")
    search_fields = ("traveller__official__name_km", "traveller__official__name_latin", "note")
    list_select_related = ("traveller__official", "leg__order__issuing_unit")
    exclude = ("scan",)  # the scan is opened through the order page's permission-checked link


@admin.register(OrderLog)
class OrderLogAdmin(LogLabels, ReadOnlyAdmin):
    list_display = ("created", "order", "action_label", "from_state_label", "to_state_label", "actor", "acting_for")
    list_filter = (ActionFilter, ToStateFilter, "created")
    ordering = ("-id",)  # newest first, read backwards along the primary key
    search_fields = ("note",)  # see get_search_results
    search_help_text = _("An order number, a user name, or words of a note (a reason typed with the action).")
    list_select_related = ("order__issuing_unit", "actor", "acting_for")
    list_only = ("created", "action", "from_state", "to_state", "order__number",
                 "order__issuing_unit__abbreviation_km", "order__issuing_unit__abbreviation_en", "actor__username",
                 "acting_for__honorific", "acting_for__name_km", "acting_for__name_latin")

    def get_search_results(self, request, queryset, search_term):
        """An order number (Khmer or Latin digits) reads that order's rows by its key; otherwise the user named
        (their keys first: a sub-select in the OR would make PostgreSQL walk the log) or words of the note
        (trigram-indexed, missions 0012).  The ORed three-way ``icontains`` read all half-million notes."""
        term = search_term.strip()
        if not term:
            return queryset, False
        digits = from_khmer_digits(term).replace(" ", "")
        if digits.isdigit():
            return queryset.filter(order__in=MissionOrder.objects.filter(number=int(digits)).values("id")), False
        users = list(get_user_model().objects.filter(username__iexact=term).values_list("id", flat=True)[:10])
        return queryset.filter(Q(actor__in=users) | Q(note__icontains=term)), False


@admin.register(OrderDocument)
class OrderDocumentAdmin(ReadOnlyAdmin):
    list_display = ("order", "version", "language", "status", "size", "render_ms", "attempts", "rendered_at")
    list_filter = ("status", "language")
    search_fields = ("sha256", "order__number")
    list_select_related = ("order__issuing_unit",)
    exclude = ("file",)


@admin.register(IssueCounter)
class IssueCounterAdmin(ReadOnlyAdmin):
    order_path = ""
    list_display = ("issuing_unit", "year", "last")
    list_filter = ("issuing_unit", "year")
    search_fields = ("issuing_unit__name_km", "issuing_unit__name_en")

    def has_view_permission(self, request, obj=None):
        return _may_use(request) and (request.user.is_superuser or has_role(request.user, Role.ISSUING_CLERK,
                                                                            Role.ADMINISTRATOR))


@admin.register(ApprovalDelegation)
class ApprovalDelegationAdmin(ReadOnlyAdmin):
    order_path = ""
    list_display = ("leader", "acting", "starts_on", "ends_on", "note", "created_by")
    list_filter = ("starts_on", "ends_on")
    search_fields = ("leader__name_km", "leader__name_latin", "acting__name_km", "acting__name_latin", "note")
    list_select_related = ("leader", "acting", "created_by")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser or has_role(request.user, Role.ADMINISTRATOR):
            return qs

        me = official_of(request.user)

        return qs.filter(Q(leader=me) | Q(acting=me)) if me else qs.none()
