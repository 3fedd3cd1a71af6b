"""GDAF's money: allowance rules with effective dates, budget lines, commitments and settlements.

The rates are data the Ministry maintains (sub-decree No. 216 ANKr.BK on the daily subsistence allowance,
as amended): the administrator enters the tables in force. A table marked ``is_demo`` holds example
values only and is labelled as such wherever an amount computed from it is shown.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.language import in_language
from ministry.models import Province, Unit
from missions.models import Means, MissionOrder

MONEY = {"max_digits": 12, "decimal_places": 2}


class DestinationClass(models.TextChoices):
    PHNOM_PENH = "phnom_penh", _("Phnom Penh")
    PROVINCE = "province", _("Province")
    ABROAD_A = "abroad_a", _("Abroad, class A")
    ABROAD_B = "abroad_b", _("Abroad, class B")
    ABROAD_C = "abroad_c", _("Abroad, class C")


ABROAD_CLASSES = (DestinationClass.ABROAD_A, DestinationClass.ABROAD_B, DestinationClass.ABROAD_C)


class RateTable(models.Model):
    """The allowance rules in force from ``effective_from`` until the next table's date."""

    name_km = models.CharField(_("Khmer name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True,
                                   help_text=_("The sub-decree or decision that sets these rates."))
    effective_from = models.DateField(_("in force from"), unique=True)
    is_demo = models.BooleanField(
        _("demo values"), default=False,
        help_text=_("Example figures, not the official rates: every amount computed from them says so."))
    riel_per_usd = models.DecimalField(_("riel per US dollar"), max_digits=10, decimal_places=2)
    exchange_rate_date = models.DateField(_("exchange rate date"))
    travel_day_percent = models.PositiveSmallIntegerField(
        _("travel day (%)"), default=100, help_text=_("Share of the daily allowance paid for the first and last day."))
    same_day_percent = models.PositiveSmallIntegerField(
        _("same-day trip (%)"), default=50, help_text=_("Share of the daily allowance for a mission without a night."))
    meals_provided_percent = models.PositiveSmallIntegerField(
        _("meals provided (%)"), default=0,
        help_text=_("Share of the daily allowance withheld for each day the host provides the meals."))
    default_abroad_class = models.CharField(_("class of other countries"), max_length=12,
                                            choices=[(c.value, c.label) for c in ABROAD_CLASSES],
                                            default=DestinationClass.ABROAD_C)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("allowance rate table")
        verbose_name_plural = _("allowance rate tables")
        constraints = [
            models.CheckConstraint(condition=Q(riel_per_usd__gt=0), name="rate_table_exchange_positive"),
            models.CheckConstraint(condition=Q(travel_day_percent__lte=100) & Q(same_day_percent__lte=100)
                                   & Q(meals_provided_percent__lte=100), name="rate_table_percent_max_100"),
        ]

    def __str__(self):
        return in_language(self.name_km, self.name_en)

    @classmethod
    def in_force(cls, day):
        """The table in force on ``day`` (the latest one starting on or before it), or None."""
        return cls.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


class DailyRate(models.Model):
    """Per day and per night, in US dollars, for positions whose rank is within [rank_from, rank_to]."""

    table = models.ForeignKey(RateTable, verbose_name=_("rate table"), on_delete=models.CASCADE, related_name="daily")
    destination_class = models.CharField(_("destination"), max_length=12, choices=DestinationClass.choices)
    rank_from = models.PositiveSmallIntegerField(_("from rank"), help_text=_("1 is the highest position."))
    rank_to = models.PositiveSmallIntegerField(_("to rank"))
    per_day = models.DecimalField(_("per day (USD)"), **MONEY)
    per_night = models.DecimalField(_("lodging per night (USD)"), **MONEY)

    class Meta:
        ordering = ["table", "destination_class", "rank_from"]
        verbose_name = _("daily rate")
        verbose_name_plural = _("daily rates")
        constraints = [
            models.UniqueConstraint(fields=["table", "destination_class", "rank_from"], name="daily_rate_unique"),
            models.CheckConstraint(condition=Q(rank_to__gte=models.F("rank_from")), name="daily_rate_rank_order"),
            models.CheckConstraint(condition=Q(per_day__gte=0) & Q(per_night__gte=0), name="daily_rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_destination_class_display()} {self.rank_from}–{self.rank_to}"


class CountryClass(models.Model):
    table = models.ForeignKey(RateTable, verbose_name=_("rate table"), on_delete=models.CASCADE,
                              related_name="countries")
    country = models.CharField(_("country (ISO code)"), max_length=2)
    destination_class = models.CharField(_("class"), max_length=12, choices=[(c.value, c.label) for c in ABROAD_CLASSES])

    class Meta:
        ordering = ["table", "country"]
        verbose_name = _("country class")
        verbose_name_plural = _("country classes")
        constraints = [models.UniqueConstraint(fields=["table", "country"], name="country_class_unique")]


class TransportRate(models.Model):
    """A fixed amount per traveller for one leg by ``means``: to ``province`` (any province when empty),
    or abroad."""

    table = models.ForeignKey(RateTable, verbose_name=_("rate table"), on_delete=models.CASCADE,
                              related_name="transport")
    means = models.CharField(_("means of travel"), max_length=20, choices=Means.choices)
    province = models.ForeignKey(Province, verbose_name=_("to province"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    abroad = models.BooleanField(_("abroad"), default=False)
    amount = models.DecimalField(_("amount per traveller and leg (USD)"), **MONEY)

    class Meta:
        ordering = ["table", "means", "province"]
        verbose_name = _("transport rate")
        verbose_name_plural = _("transport rates")
        constraints = [
            models.UniqueConstraint(fields=["table", "means", "province", "abroad"], name="transport_rate_unique",
                                    nulls_distinct=False),
            models.CheckConstraint(condition=Q(amount__gte=0), name="transport_rate_not_negative"),
            models.CheckConstraint(condition=Q(abroad=False) | Q(province__isnull=True), name="transport_abroad_no_province"),
        ]


# --- budgets -------------------------------------------------------------------------------


class BudgetLine(models.Model):
    """A unit's mission budget for one fiscal year (the calendar year in Cambodia). An order draws on
    the line of its requesting unit, or of the nearest unit above it that has one."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="budget_lines")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    amount = models.DecimalField(_("amount (USD)"), **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-fiscal_year", "unit__path"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["unit", "fiscal_year"], name="one_budget_line_per_unit_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_not_negative"),
        ]

    def __str__(self):
        return f"{self.unit} · {self.fiscal_year}"


class Commitment(models.Model):
    """What one order takes from a budget line: the estimate from approval, the actual from settlement."""

    class State(models.TextChoices):
        COMMITTED = "committed", _("Committed")
        SETTLED = "settled", _("Settled")
        RELEASED = "released", _("Released")

    order = models.OneToOneField(MissionOrder, verbose_name=_("mission order"), on_delete=models.CASCADE,
                                 related_name="commitment")
    line = models.ForeignKey(BudgetLine, verbose_name=_("budget line"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="commitments")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.COMMITTED, db_index=True)
    estimate = models.DecimalField(_("committed (USD)"), **MONEY)
    actual = models.DecimalField(_("actual (USD)"), null=True, blank=True, **MONEY)
    over_budget = models.BooleanField(_("over budget"), default=False)
    created = models.DateTimeField(_("committed at"), default=timezone.now)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        indexes = [models.Index(fields=["line", "state"])]

    @property
    def amount(self) -> Decimal:
        """What the line carries for this order now."""
        if self.state == self.State.RELEASED:
            return Decimal("0")
        return self.actual if self.actual is not None else self.estimate


class BudgetOverride(models.Model):
    """The approver's explicit decision to approve beyond what remains on the budget line, with the reason."""

    order = models.OneToOneField(MissionOrder, verbose_name=_("mission order"), on_delete=models.CASCADE,
                                 related_name="budget_override")
    reason = models.TextField(_("reason"))
    estimate = models.DecimalField(_("estimate (USD)"), **MONEY)
    remaining = models.DecimalField(_("remaining (USD)"), **MONEY)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, on_delete=models.SET_NULL,
                           related_name="+")
    created = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("budget override")
        verbose_name_plural = _("budget overrides")


# --- settlement (B.3) ------------------------------------------------------------------------


class Settlement(models.Model):
    """GDAF's settlement of an accepted return: the advance paid, the final amount from the stamped dates,
    and the difference (positive: to pay the travellers; negative: to recover)."""

    order = models.OneToOneField(MissionOrder, verbose_name=_("mission order"), on_delete=models.PROTECT,
                                 related_name="settlement")
    table = models.ForeignKey(RateTable, verbose_name=_("rate table"), on_delete=models.PROTECT, related_name="+")
    riel_per_usd = models.DecimalField(_("riel per US dollar"), max_digits=10, decimal_places=2)
    advance = models.DecimalField(_("advance paid (USD)"), **MONEY)
    final = models.DecimalField(_("final amount (USD)"), **MONEY)
    meals_days = models.PositiveSmallIntegerField(_("days with meals provided"), default=0)
    lodging_nights = models.PositiveSmallIntegerField(_("nights with lodging provided"), default=0)
    lines = models.JSONField(_("per traveller"), default=list)
    note = models.CharField(_("note"), max_length=300, blank=True)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("settled by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    settled_at = models.DateTimeField(_("settled at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-settled_at"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [models.CheckConstraint(condition=Q(advance__gte=0) & Q(final__gte=0),
                                              name="settlement_not_negative")]

    @property
    def difference(self) -> Decimal:
        return self.final - self.advance

    def clean(self):
        if self.advance is not None and self.advance < 0:
            raise ValidationError({"advance": _("The advance cannot be negative.")})


# --- the statistics' precomputed rows -------------------------------------------------------------


class MissionFact(models.Model):
    """One issued (not revoked) order as the statistics count it, kept up to date by the workflow's events
    (``finance.receivers``) so that the statistics pages add up a few indexed rows instead of joining
    orders, travellers and legs. ``manage.py finance_facts`` rebuilds them."""

    order = models.OneToOneField(MissionOrder, on_delete=models.CASCADE, primary_key=True, related_name="fact")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255)
    issuer = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    province = models.ForeignKey(Province, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 help_text=_("The first destination in Cambodia."))
    abroad = models.BooleanField(default=False)
    travellers = models.PositiveSmallIntegerField(default=0)
    days = models.PositiveSmallIntegerField(default=0)
    traveller_days = models.PositiveIntegerField(default=0)
    departure_date = models.DateField()
    return_date = models.DateField()
    estimate = models.DecimalField(null=True, blank=True, **MONEY)
    actual = models.DecimalField(null=True, blank=True, **MONEY)
    overdue = models.BooleanField(default=False)
    days_to_return = models.IntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("mission statistics row")
        verbose_name_plural = _("mission statistics rows")
        indexes = [models.Index(fields=["year", "unit_path"]), models.Index(fields=["departure_date", "return_date"])]


class Absence(models.Model):
    """One traveller of an issued (not revoked) order, as the "who is away" calendar reads it: kept with the
    statistics rows (``services.fact_write``), so that a month of a general department reads its own few
    hundred rows instead of joining the period's orders to their travellers and officials."""

    order = models.ForeignKey(MissionOrder, on_delete=models.CASCADE, related_name="+")
    official = models.ForeignKey("ministry.Official", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255)
    leadership = models.BooleanField(default=False)
    departure_date = models.DateField()
    return_date = models.DateField()

    class Meta:
        verbose_name = _("absence on mission")
        verbose_name_plural = _("absences on mission")
        constraints = [models.UniqueConstraint(fields=["order", "official"], name="absence_once_per_order")]
        indexes = [
            models.Index(fields=["return_date", "departure_date"], name="absence_period"),
            # a subtree's month ("who is away"): the path's prefix and the dates read in the index, not in the
            # table (a general department's month: 1 300 of the month's 11 000 rows' blocks read for 1 600 kept)
            models.Index(fields=["unit_path", "return_date", "departure_date"], name="absence_subtree_period",
                         opclasses=["varchar_pattern_ops", "date_ops", "date_ops"], include=["official"]),
        ]
