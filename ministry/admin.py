from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Case, IntegerField, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from common.admin_lists import BoundedCountAdmin, KeysFirstPaginator

from .admin_accounts import OfficialWithLoginMixin
from .admin_audit import AuditedAdminMixin
from .audit import audit
from .models import AuditEntry, Official, Position, PositionHolding, Province, Unit, Role
from .resources import OfficialResource, UnitResource
from .selectors import khmer_spellings, official_search_q, people_visible_to
from .services import official_change_position


class AdministratorImportExportMixin(AuditedAdminMixin):
    """Import and export of the organisation only for administrators: every import/export view
    (import, process_import, export and the export action) asks these two permissions."""

    def has_import_permission(self, request):
        return request.user.is_active and request.user.has_perm("ministry.import_organisation")

    def has_export_permission(self, request):
        return request.user.is_active and request.user.has_perm("ministry.export_organisation")


class ChangePositionForm(forms.Form):
    position = forms.ModelChoiceField(Position.objects.all(), label=_("New position"))
    unit = forms.ModelChoiceField(Unit.objects.filter(active=True), label=_("Unit"))
    on = forms.DateField(label=_("From"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


@admin.register(Province)
class ProvinceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name_km", "name_en", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name_km", "name_en"]


@admin.register(Unit)
class UnitAdmin(AdministratorImportExportMixin, ImportExportModelAdmin):
    resource_classes = [UnitResource]
    list_display = ["code", "name_km", "name_en", "kind", "parent", "province", "may_issue_orders", "active"]
    list_filter = ["kind", "may_issue_orders", "receives_returns", "active"]
    search_fields = ["code", "name_km", "name_en", "abbreviation_km"]
    autocomplete_fields = ["parent", "province"]
    readonly_fields = ["path"]


@admin.register(Position)
class PositionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["rank", "title_km", "title_en", "in_leadership_group", "heads_unit"]
    list_filter = ["in_leadership_group", "heads_unit"]
    search_fields = ["title_km", "title_en", "code"]
    ordering = ["rank"]

    def get_search_results(self, request, queryset, search_term):
        """Titles that start with what was typed come first ("មន្ត្រី" offers មន្ត្រី before រដ្ឋមន្ត្រី),
        then the others by rank."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            starts = Q(title_en__istartswith=term) | Q(code__istartswith=term)
            for spelling in khmer_spellings(term):
                starts |= Q(title_km__startswith=spelling)
            queryset = queryset.annotate(
                prefix_first=Case(When(starts, then=Value(0)), default=Value(1), output_field=IntegerField())
            ).order_by("prefix_first", "rank")
        return queryset, may_have_duplicates


class HoldingInline(admin.TabularInline):
    model = PositionHolding
    extra = 0
    fields = ["position", "unit", "started_on", "ended_on", "note"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("History of positions")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Official)
class OfficialAdmin(AdministratorImportExportMixin, OfficialWithLoginMixin, BoundedCountAdmin, ImportExportModelAdmin):
    resource_classes = [OfficialResource]
    list_display = ["civil_service_id", "honorific", "name_km", "name_latin", "position", "unit", "active"]
    list_filter = ["active", "position__in_leadership_group", "position", "unit__kind", "gender"]
    search_fields = ["civil_service_id", "name_km", "name_latin", "phone", "email", "unit__code", "unit__name_km"]
    autocomplete_fields = ["unit", "position", "user"]
    list_select_related = ["unit", "position"]
    list_per_page = 50
    paginator = KeysFirstPaginator  # ordered by the position's rank: 10 000 keys sorted, not 10 000 joined rows
    inlines = [HoldingInline]

    def get_search_results(self, request, queryset, search_term):
        """The portal's people search (trigram-indexed names, the civil-service ID), or a unit's code.  The unit is
        read first: its code in the OR joined every official to their unit and tested all 10 000 (7 ms a query)
        where the indexes answer the names."""
        term = search_term.strip()
        if not term:
            return queryset, False
        units = list(Unit.objects.filter(code__iexact=term).values_list("pk", flat=True))
        return queryset.filter(official_search_q(term) | Q(unit__in=units)), False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk__in=people_visible_to(request.user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        # A change of position or unit goes through official_change_position (history kept).
        return ["position", "unit"] if obj is not None else []

    def get_urls(self):
        extra = [path("<int:pk>/position/", self.admin_site.admin_view(self.change_position_view),
                      name="ministry_official_position")]
        return extra + super().get_urls()

    def change_position_view(self, request, pk):
        official = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, official):
            messages.error(request, _("You are not allowed to change this official."))
            return redirect(reverse("admin:ministry_official_changelist"))
        form = ChangePositionForm(request.POST or None, initial={"position": official.position,
                                                                 "unit": official.unit})
        if request.method == "POST" and form.is_valid():
            official_change_position(official=official, by=request.user, **form.cleaned_data)
            messages.success(request, _("Position changed; the history keeps the previous one."))
            return redirect(reverse("admin:ministry_official_change", args=[official.pk]))
        context = {**self.admin_site.each_context(request), "form": form, "official": official,
                   "opts": self.model._meta, "title": _("Change position or unit")}
        return render(request, "admin/ministry/official/change_position.html", context)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created", "actor", "action", "content_type", "object_id"]
    list_filter = ["action", "content_type"]
    search_fields = ["action", "object_id", "actor__username"]
    date_hierarchy = "created"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Users and role groups: the same admin as Django's, with every change in the audit trail.
admin.site.unregister(User)
admin.site.unregister(Group)


def role_label(name: str) -> str:
    """A role group by its role's name (Leadership approver), not its code (approver)."""
    return str(Role(name).label) if name in Role.values else name


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(r.value, r.label) for r in Role]

    def queryset(self, request, queryset):
        return queryset.filter(groups__name=self.value()) if self.value() else queryset


@admin.register(User)
class AuditedUserAdmin(AuditedAdminMixin, UserAdmin):
    list_display = ("username", "official", "roles", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", RoleFilter)
    list_select_related = ("official",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("Roles"))
    def roles(self, user):
        return ", ".join(role_label(g.name) for g in user.groups.all())

    @admin.display(description=_("official"))
    def official(self, user):
        return getattr(user, "official", None) or "—"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups" and field is not None:
            field.label_from_instance = lambda group: role_label(group.name)
        return field

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.filter(pk=id).first()
            if user is not None:
                audit(user, "admin.auth.user.password_set", by=request.user)
        return response


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdminMixin, GroupAdmin):
    list_display = ("role", "name")

    @admin.display(description=_("role"), ordering="name")
    def role(self, group):
        return role_label(group.name)


# Login throttling records (django-axes): deleting one unlocks an account, so that is audited too, and the
# clean-up action asks for the delete permission.
@admin.action(description=_("Clean up expired attempts"), permissions=["delete"])
def _cleanup_expired_attempts(model_admin, request, queryset):
    count = model_admin.handler.clean_expired_user_attempts(request=request)
    audit(AccessAttempt(pk=0), "admin.axes.accessattempt.expired_cleaned", by=request.user, count=count)
    model_admin.message_user(request, _("%(n)s expired attempts cleaned up.") % {"n": count})


def _audit_axes_admins():
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        if admin.site.is_registered(model):
            current = type(admin.site._registry[model])
            extra = {}
            if "cleanup_expired_attempts" in (current.actions or ()):
                extra = {"cleanup_expired_attempts": _cleanup_expired_attempts}
            admin.site.unregister(model)
            admin.site.register(model, type(f"Audited{current.__name__}", (AuditedAdminMixin, current), extra))


_audit_axes_admins()
