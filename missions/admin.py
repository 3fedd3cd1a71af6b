"""The Django admin for mission orders: read-mostly, every move through the services.

The state is read-only; approve and reject use django-fsm-2's admin buttons, but
the transition hook calls ``order_approve`` / ``order_reject`` so the lock, the
log, the events and the permission checks are the same as on the pages."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_fsm.admin import FSMAdminMixin

from ministry.admin_audit import AuditedAdminMixin
from ministry.models import Role
from ministry.roles import has_role

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
from .selectors import orders_visible_q

STAFF_ROLES = (Role.ADMINISTRATOR, Role.APPROVER, Role.ISSUING_CLERK, Role.RETURNS_CLERK, Role.UNIT_HEAD)


def _may_use(request) -> bool:
    return request.user.is_active and request.user.is_staff and (
        request.user.is_superuser or has_role(request.user, *STAFF_ROLES)
    )


def _visible_orders(request):
    return MissionOrder.objects.filter(orders_visible_q(request.user))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReadOnlyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Rows written only by the services: visible to the staff who may see their order, never edited here."""

    order_path = "order"

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


class LegInline(DraftEditableInline):
    model = Leg
    fields = ("seq", "from_province", "from_country", "from_city", "to_province", "to_country", "to_city",
              "travel_date", "means")


class OrderLogInline(ReadOnlyInline):
    model = OrderLog
    fields = ("created", "action", "from_state", "to_state", "actor", "acting_for", "note")
    readonly_fields = fields


@admin.register(MissionOrder)
class MissionOrderAdmin(AuditedAdminMixin, FSMAdminMixin, admin.ModelAdmin):
    fsm_fields = ["state"]
    change_form_template = "missions/admin/order_change_form.html"
    fsm_transition_form_template = "missions/admin/order_transition_form.html"
    fsm_forms = {"reject": RejectForm}
    fsm_transition_not_allowed_msg = _("You are not allowed to do that with this order.")
    list_display = ("__str__", "state", "issuing_unit", "requesting_unit", "requested_by", "approver",
                    "departure_date", "return_date", "overdue_since")
    list_filter = ("state", "issuing_unit", "basis", "departure_date", "requesting_unit")
    search_fields = ("number", "purpose_km", "purpose_en", "travellers__official__name_km",
                     "travellers__official__name_latin", "travellers__official__civil_service_id")
    list_select_related = ("issuing_unit", "requesting_unit", "requested_by", "approver")
    date_hierarchy = "departure_date"
    inlines = [TravellerInline, LegInline, OrderLogInline]
    actions = ["approve_selected"]
    fieldsets = (
        (None, {"fields": ("state", "number", "year", "issued_at", "issuing_unit", "requesting_unit", "requested_by",
                           "purpose_km", "purpose_en", "departure_date", "return_date")}),
        (_("Basis"), {"fields": ("basis", "invitation_sender", "invitation_number", "invitation_date",
                                 "approval_leader", "approval_date", "approval_note")}),
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
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(orders_visible_q(request.user))

    def get_readonly_fields(self, request, obj=None):
        names = [f for block in self.fieldsets for f in block[1]["fields"]]
        return tuple(dict.fromkeys([*super().get_readonly_fields(request, obj), *names]))

    def save_model(self, request, obj, form, change):
        """Nothing on the form is editable; state changes go through the services."""

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
class OrderLogAdmin(ReadOnlyAdmin):
    list_display = ("created", "order", "action", "from_state", "to_state", "actor", "acting_for")
    list_filter = ("action", "to_state", "created")
    search_fields = ("note", "actor__username", "order__number")
    list_select_related = ("order__issuing_unit", "actor", "acting_for")


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
        from ministry.roles import official_of

        me = official_of(request.user)
        from django.db.models import Q

        return qs.filter(Q(leader=me) | Q(acting=me)) if me else qs.none()
