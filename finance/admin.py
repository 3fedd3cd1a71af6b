"""Rate tables are data the administrator maintains (with their daily, country and transport rows)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ministry.admin_audit import AuditedAdminMixin

from .models import BudgetLine, BudgetOverride, Commitment, CountryClass, DailyRate, RateTable, Settlement, TransportRate


class DailyRateInline(admin.TabularInline):
    model = DailyRate
    extra = 0


class CountryClassInline(admin.TabularInline):
    model = CountryClass
    extra = 0


class TransportRateInline(admin.TabularInline):
    model = TransportRate
    extra = 0
    autocomplete_fields = []


@admin.register(RateTable)
class RateTableAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "effective_from", "is_demo", "riel_per_usd", "exchange_rate_date"]
    list_filter = ["is_demo"]
    inlines = [DailyRateInline, CountryClassInline, TransportRateInline]


@admin.register(BudgetLine)
class BudgetLineAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["unit", "fiscal_year", "amount", "note"]
    list_filter = ["fiscal_year"]

    def save_model(self, request, obj, form, change):
        obj.created_by = obj.created_by or request.user
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ["order", "line", "state", "estimate", "actual", "over_budget", "created"]
    list_filter = ["state", "over_budget"]


@admin.register(BudgetOverride)
class BudgetOverrideAdmin(ReadOnlyAdmin):
    list_display = ["order", "estimate", "remaining", "by", "created"]


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ["order", "advance", "final", "settled_by", "settled_at"]
    verbose_name = _("settlement")
