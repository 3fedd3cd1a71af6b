"""What a mission costs, computed from the rate table in force on its departure date.

Per traveller: the daily allowance of their position's rank for the mission's destination class, for
each day (the first and last at the table's travel-day share; a mission without a night at the same-day
share), lodging per night, and transport per leg by means and destination. At settlement the days come
from the dates the traveller had stamped, and meals or lodging the host provided are deducted.

Amounts are US dollars (``Decimal``, cents); riel are whole, rounded to 100 as the Treasury pays them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from missions.models import LegStamp

from .models import ABROAD_CLASSES, DailyRate, DestinationClass, RateTable

CENT = Decimal("0.01")
ZERO = Decimal("0")
# Which destination is paid at the higher rate when an itinerary has several.
CLASS_ORDER = [DestinationClass.PHNOM_PENH, DestinationClass.PROVINCE, DestinationClass.ABROAD_C,
               DestinationClass.ABROAD_B, DestinationClass.ABROAD_A]


def usd(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_riel(amount: Decimal, riel_per_usd: Decimal) -> int:
    """Dollars to riel, rounded to the nearest 100 riel."""
    riel = (Decimal(amount) * Decimal(riel_per_usd) / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * 100
    return int(riel)


@dataclass
class TravellerCost:
    traveller_id: int
    official_id: int
    name_km: str
    name_en: str
    rank: int
    start: date
    end: date
    days: int
    nights: int
    per_day: Decimal = ZERO
    per_night: Decimal = ZERO
    allowance: Decimal = ZERO
    lodging: Decimal = ZERO
    transport: Decimal = ZERO
    deduction: Decimal = ZERO
    missing: str = ""

    @property
    def total(self) -> Decimal:
        return usd(self.allowance + self.lodging + self.transport - self.deduction)

    def as_json(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v.isoformat() if isinstance(v, date) else v)
                for k, v in self.__dict__.items()} | {"total": str(self.total)}


@dataclass
class Costing:
    table: RateTable
    destination_class: str
    lines: list[TravellerCost] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return usd(sum((line.total for line in self.lines), ZERO))

    @property
    def total_riel(self) -> int:
        return to_riel(self.total, self.table.riel_per_usd)

    @property
    def complete(self) -> bool:
        return all(not line.missing for line in self.lines)

    @property
    def traveller_days(self) -> int:
        return sum(line.days for line in self.lines)

    @property
    def destination_class_label(self):
        return DestinationClass(self.destination_class).label

    def riel(self, amount) -> int:
        return to_riel(amount, self.table.riel_per_usd)


def destination_class(legs, table: RateTable, country_classes: dict[str, str]) -> str:
    """The destination class of an itinerary: the best paid among the places it goes to, leaving out a
    last leg that only comes back to where the mission started."""
    legs = list(legs)
    places = legs
    if len(legs) > 1:
        first, last = legs[0], legs[-1]
        if (last.to_province_id, last.to_country, last.to_city) == (first.from_province_id, first.from_country,
                                                                     first.from_city):
            places = legs[:-1]
    classes = []
    for leg in places:
        if leg.to_province_id is None:
            classes.append(country_classes.get(leg.to_country, table.default_abroad_class))
        elif leg.to_province.kind == "capital":
            classes.append(DestinationClass.PHNOM_PENH)
        else:
            classes.append(DestinationClass.PROVINCE)
    return max(classes, key=CLASS_ORDER.index) if classes else DestinationClass.PROVINCE


def _rate(rates: list[DailyRate], klass: str, rank: int) -> DailyRate | None:
    return next((r for r in rates if r.destination_class == klass and r.rank_from <= rank <= r.rank_to), None)


def _transport(table_transport, leg) -> Decimal:
    abroad = leg.to_province_id is None
    exact = next((t for t in table_transport if t.means == leg.means and not abroad
                  and t.province_id == leg.to_province_id), None)
    if exact is not None:
        return exact.amount
    general = next((t for t in table_transport if t.means == leg.means and t.province_id is None
                    and t.abroad == abroad), None)
    return general.amount if general is not None else ZERO


def _days(start: date, end: date) -> tuple[int, int]:
    days = (end - start).days + 1
    return days, max(days - 1, 0)


def allowance_for(table: RateTable, per_day: Decimal, days: int) -> Decimal:
    """The daily allowance for ``days`` days: a same-day trip at its share; otherwise the first and last
    day at the travel-day share and every day between in full."""
    if days <= 0:
        return ZERO
    if days == 1:
        return usd(per_day * table.same_day_percent / 100)
    return usd(per_day * (days - 2) + per_day * table.travel_day_percent / 100 * 2)


def order_costing(order, *, stamped: bool = False, meals_days: int = 0, lodging_nights: int = 0,
                  table: RateTable | None = None) -> Costing | None:
    """The cost of ``order`` per traveller and in total; None when no rate table is in force on its
    departure date. ``stamped``: days from each traveller's stamped dates (settlement), not the order's."""
    table = table or RateTable.in_force(order.departure_date)
    if table is None:
        return None
    rates = list(table.daily.all())
    countries = dict(table.countries.values_list("country", "destination_class"))
    transport = list(table.transport.all())
    legs = list(order.legs.select_related("to_province"))
    klass = destination_class(legs, table, countries)
    leg_transport = usd(sum((_transport(transport, leg) for leg in legs), ZERO))
    stamps: dict[int, list] = {}
    if stamped:
        for st in LegStamp.objects.filter(traveller__order=order).values("traveller_id", "departed_on", "arrived_on"):
            stamps.setdefault(st["traveller_id"], []).append(st)
    costing = Costing(table=table, destination_class=klass)
    for t in order.travellers.select_related("official__position"):
        start, end = order.departure_date, order.return_date
        mine = stamps.get(t.pk)
        if mine:
            start = min(s["departed_on"] for s in mine)
            end = max(s["arrived_on"] for s in mine)
        days, nights = _days(start, end)
        rank = t.official.position.rank
        line = TravellerCost(traveller_id=t.pk, official_id=t.official_id, name_km=t.official.display_name_km,
                             name_en=t.official.format_name(t.official.honorific, t.official.name_km,
                                                            t.official.name_latin, "en"),
                             rank=rank, start=start, end=end, days=days, nights=nights)
        rate = _rate(rates, klass, rank)
        if rate is None:
            line.missing = _("No daily rate for rank %(rank)s and this destination in the table in force.") % {
                "rank": rank}
        else:
            line.per_day, line.per_night = rate.per_day, rate.per_night
            line.allowance = allowance_for(table, rate.per_day, days)
            line.lodging = usd(rate.per_night * nights)
            meals = min(max(meals_days, 0), days)
            nights_given = min(max(lodging_nights, 0), nights)
            deduction = usd(rate.per_day * table.meals_provided_percent / 100 * meals + rate.per_night * nights_given)
            line.deduction = min(deduction, line.allowance + line.lodging)
        line.transport = leg_transport
        costing.lines.append(line)
    return costing


def is_abroad(klass: str) -> bool:
    return klass in ABROAD_CLASSES
