"""Business actions on the money: one function per action, each audited with its actor.

The budget is committed when an order is approved and released when it is cancelled or revoked
(``finance.receivers``, inside the transaction of the change); the actual replaces the estimate at
settlement. Approving beyond what remains needs the approver's override with a reason, recorded first.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ministry.audit import audit
from missions.models import MissionOrder, State, Traveller
from missions.services import TransitionRefused

from . import permissions as perm
from .allowances import ZERO, order_costing, usd
from .models import Absence, BudgetLine, BudgetOverride, Commitment, Settlement, MissionFact
from .selectors import STATS_VERSION_KEY


# --- budgets ---------------------------------------------------------------------------------


def fiscal_year(order) -> int:
    return order.departure_date.year


def line_for(order, *, lock: bool = False) -> BudgetLine | None:
    """The budget line an order draws on: its requesting unit's for the fiscal year, or the nearest
    unit's above it."""
    ids = order.requesting_unit.lineage_ids()
    qs = BudgetLine.objects.filter(unit_id__in=ids, fiscal_year=fiscal_year(order)).select_related("unit")
    if lock:
        qs = qs.select_for_update()
    found = {line.unit_id: line for line in qs}
    return next((found[i] for i in ids if i in found), None)


@dataclass
class LineUse:
    line: BudgetLine
    committed: Decimal
    actual: Decimal

    @property
    def used(self) -> Decimal:
        return self.committed + self.actual

    @property
    def remaining(self) -> Decimal:
        return self.line.amount - self.used


def line_use(line: BudgetLine, *, exclude_order=None) -> LineUse:
    qs = Commitment.objects.filter(line=line)
    if exclude_order is not None:
        qs = qs.exclude(order=exclude_order)
    sums = qs.aggregate(
        committed=Sum("estimate", filter=Q(state=Commitment.State.COMMITTED)),
        actual=Sum("actual", filter=Q(state=Commitment.State.SETTLED)),
    )
    return LineUse(line, sums["committed"] or ZERO, sums["actual"] or ZERO)


def lines_use(lines) -> list[LineUse]:
    """The use of many lines in one query (the budgets page)."""
    lines = list(lines)
    sums = {
        row["line"]: row
        for row in Commitment.objects.filter(line__in=lines).values("line").annotate(
            committed=Sum("estimate", filter=Q(state=Commitment.State.COMMITTED)),
            actual=Sum("actual", filter=Q(state=Commitment.State.SETTLED)),
        )
    }
    return [LineUse(line, (sums.get(line.pk) or {}).get("committed") or ZERO,
                    (sums.get(line.pk) or {}).get("actual") or ZERO) for line in lines]


@dataclass
class BudgetCheck:
    line: BudgetLine | None
    estimate: Decimal | None
    remaining: Decimal | None
    override: BudgetOverride | None

    @property
    def exceeds(self) -> bool:
        return self.line is not None and self.estimate is not None and self.estimate > self.remaining


def budget_check(order, *, lock: bool = False, costing=None) -> BudgetCheck:
    costing = costing or order_costing(order)
    estimate = costing.total if costing is not None else None
    line = line_for(order, lock=lock)
    remaining = line_use(line, exclude_order=order).remaining if line is not None else None
    override = BudgetOverride.objects.filter(order=order).first()
    return BudgetCheck(line, estimate, remaining, override)


@transaction.atomic
def budget_line_save(*, by, unit, fiscal_year: int, amount: Decimal, note: str = "") -> BudgetLine:
    if not perm.may_manage_budgets(by):
        raise TransitionRefused(_("Only GDAF's finance office or the administrator manages budget lines."))
    errors = {}
    if amount is None or amount < 0:
        errors["amount"] = _("The amount cannot be negative.")
    if not 2000 <= fiscal_year <= 2100:
        errors["fiscal_year"] = _("Give a fiscal year such as 2026.")
    if errors:
        raise ValidationError(errors)
    line, created = BudgetLine.objects.select_for_update().get_or_create(
        unit=unit, fiscal_year=fiscal_year, defaults={"amount": amount, "note": note, "created_by": by})
    old = None if created else str(line.amount)
    if not created:
        line.amount, line.note = amount, note
        line.save(update_fields=["amount", "note"])
    audit(line, "finance.budget_line.saved", by=by, unit=unit.pk, fiscal_year=fiscal_year, amount=str(amount),
          previous=old)
    return line


@transaction.atomic
def budget_override(*, order: MissionOrder, by, reason: str) -> BudgetOverride:
    """The approver's explicit consent to approve beyond the remaining budget, with the reason."""
    reason = (reason or "").strip()
    order = MissionOrder.objects.select_for_update().get(pk=order.pk)
    if not perm.may_override_budget(order, by):
        raise TransitionRefused(_("Only the approver of this request may override its budget, before approving it."))
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    check = budget_check(order)
    if not check.exceeds:
        raise TransitionRefused(_("This request fits in the remaining budget: no override is needed."))
    override, _created = BudgetOverride.objects.update_or_create(
        order=order, defaults={"reason": reason, "estimate": check.estimate, "remaining": check.remaining, "by": by,
                               "created": timezone.now()})
    audit(order, "finance.budget.override", by=by, reason=reason, estimate=str(check.estimate),
          remaining=str(check.remaining), line=check.line.pk)
    return override


def commit_on_approval(order: MissionOrder, actor) -> Commitment | None:
    """Inside the approval's transaction: commit the estimate to the budget line (locked), refusing when
    it exceeds what remains and the approver has not overridden with a reason."""
    costing = order_costing(order)
    if costing is None:
        return None  # no rate table in force: nothing can be committed; the order page says so
    check = budget_check(order, lock=True, costing=costing)
    estimate = costing.total
    if check.exceeds and check.override is None:
        raise TransitionRefused(
            _("The estimate (%(estimate)s USD) exceeds what remains on the budget line (%(remaining)s USD). "
              "Override with a reason on the order page before approving.")
            % {"estimate": estimate, "remaining": check.remaining})
    commitment, _created = Commitment.objects.update_or_create(
        order=order, defaults={"line": check.line, "estimate": estimate, "actual": None,
                               "state": Commitment.State.COMMITTED, "over_budget": check.exceeds,
                               "created": timezone.now()})
    audit(order, "finance.budget.committed", by=actor, estimate=str(estimate),
          line=check.line.pk if check.line else None, over_budget=check.exceeds)
    return commitment


def release(order: MissionOrder, actor) -> None:
    updated = Commitment.objects.filter(order=order, state=Commitment.State.COMMITTED).update(
        state=Commitment.State.RELEASED, updated=timezone.now())
    if updated:
        audit(order, "finance.budget.released", by=actor)


# --- settlement --------------------------------------------------------------------------------


@transaction.atomic
def settlement_record(*, order: MissionOrder, by, advance: Decimal, meals_days: int = 0, lodging_nights: int = 0,
                      note: str = "") -> Settlement:
    """Settle an accepted return: the final amount from the stamped dates, the difference to the advance,
    and the actual on the budget line. Settling again corrects it (audited)."""
    order = MissionOrder.objects.select_for_update().get(pk=order.pk)
    if not perm.may_settle(by):
        raise TransitionRefused(_("Only GDAF's returns office settles missions."))
    if order.state != State.ACCEPTED:
        raise TransitionRefused(_("A mission is settled only after GDAF has accepted its return."))
    errors = {}
    if advance is None or advance < 0:
        errors["advance"] = _("The advance cannot be negative.")
    if meals_days < 0:
        errors["meals_days"] = _("Give a number of days, 0 or more.")
    if lodging_nights < 0:
        errors["lodging_nights"] = _("Give a number of nights, 0 or more.")
    if errors:
        raise ValidationError(errors)
    costing = order_costing(order, stamped=True, meals_days=meals_days, lodging_nights=lodging_nights)
    if costing is None:
        raise TransitionRefused(_("No allowance rate table is in force on the departure date; "
                                  "the administrator must enter the rates first."))
    if not costing.complete:
        raise TransitionRefused(" ".join(line.missing for line in costing.lines if line.missing))
    previous = Settlement.objects.filter(order=order).first()
    settlement, _created = Settlement.objects.update_or_create(order=order, defaults={
        "table": costing.table, "riel_per_usd": costing.table.riel_per_usd, "advance": usd(advance),
        "final": costing.total, "meals_days": meals_days, "lodging_nights": lodging_nights,
        "lines": [line.as_json() for line in costing.lines], "note": note.strip(), "settled_by": by,
        "settled_at": timezone.now()})
    line = line_for(order, lock=True)
    commitment = Commitment.objects.filter(order=order).first()
    if commitment is None:
        commitment = Commitment(order=order, line=line, estimate=costing.total)
    commitment.actual, commitment.state = costing.total, Commitment.State.SETTLED
    commitment.line = commitment.line or line
    commitment.save()
    audit(order, "finance.settled", by=by, advance=str(settlement.advance), final=str(settlement.final),
          difference=str(settlement.difference), previous_final=str(previous.final) if previous else None)
    fact_write(order)
    return settlement


# --- the statistics' rows ----------------------------------------------------------------------------

FACT_STATES = (State.ISSUED, State.RETURNED, State.SENT_BACK, State.ACCEPTED)


def fact_write(order: MissionOrder, *, estimate=None):
    """Write (or remove) the statistics row of one order from its current state."""
    if order.state not in FACT_STATES or order.number is None:
        Absence.objects.filter(order_id=order.pk).delete()
        if MissionFact.objects.filter(order_id=order.pk).delete()[0]:
            transaction.on_commit(statistics_changed)
        return None
    absences_write([order.pk])
    legs = list(order.legs.all())
    province = next((leg.to_province_id for leg in legs if leg.to_province_id is not None), None)
    travellers = order.travellers.count()
    days = (order.return_date - order.departure_date).days + 1
    if estimate is None:
        commitment = Commitment.objects.filter(order=order).first()
        estimate = commitment.estimate if commitment is not None else None
    settlement = Settlement.objects.filter(order=order).first()
    returned = None
    if order.returned_at is not None:
        returned = (timezone.localdate(order.returned_at) - order.return_date).days
    transaction.on_commit(statistics_changed)
    fact, _created = MissionFact.objects.update_or_create(order_id=order.pk, defaults={
        "unit_id": order.requesting_unit_id, "unit_path": order.requesting_unit.path,
        "issuer_id": order.issuing_unit_id, "year": order.departure_date.year, "month": order.departure_date.month,
        "province_id": province, "abroad": any(leg.to_province_id is None for leg in legs),
        "travellers": travellers, "days": days, "traveller_days": travellers * days,
        "departure_date": order.departure_date, "return_date": order.return_date, "estimate": estimate,
        "actual": settlement.final if settlement is not None else None,
        "overdue": order.overdue_since is not None or _was_overdue(order),
        "days_to_return": returned})
    return fact


def _was_overdue(order) -> bool:
    """Whether the order's log says it was ever marked overdue (acceptance clears ``overdue_since``)."""
    return order.log.filter(action="overdue").exists()


def statistics_changed():
    """A statistics row changed: the cached statistics are stale (``selectors.statistics_cached``)."""
    cache.set(STATS_VERSION_KEY, timezone.now().timestamp(), None)


def absences_write(order_ids) -> int:
    """(Re)write the "who is away" rows of these orders (issued, not revoked) from their travellers: the
    official's unit and leadership today, the order's dates."""
    Absence.objects.filter(order_id__in=order_ids).delete()
    rows = [Absence(order_id=t["order_id"], official_id=t["official_id"], unit_path=t["official__unit__path"],
                    leadership=t["official__position__in_leadership_group"], departure_date=t["order__departure_date"],
                    return_date=t["order__return_date"])
            for t in Traveller.objects.filter(order_id__in=order_ids, order__state__in=FACT_STATES,
                                              order__number__isnull=False)
            .values("order_id", "official_id", "official__unit__path", "official__position__in_leadership_group",
                    "order__departure_date", "order__return_date")]
    Absence.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
