"""Reads for the register, the statistics and the "who is away" calendar."""

from __future__ import annotations

import calendar as cal
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import BooleanField, Case, Count, Sum, When
from django.utils import timezone

from common.language import in_language
from ministry.models import Official, Province, Unit
from missions.models import Leg, MissionOrder, State, Traveller
from missions.fast_lists import add_travellers_and_places
from missions.selectors import filter_orders

from .models import Absence, MissionFact

REGISTER_FIELDS = ("id", "state", "number", "year", "issued_at", "departure_date", "return_date",
                   "requesting_unit__name_km", "requesting_unit__name_en", "issuing_unit__abbreviation_km",
                   "issuing_unit__abbreviation_en", "overdue_since")


def register_queryset(issuer: Unit, year: int, *, q: str = "", state: str = "", month: int | None = None,
                      unit: Unit | None = None):
    """The number book of ``issuer`` for ``year``: every number given, in order."""
    qs = MissionOrder.objects.filter(issuing_unit=issuer, year=year, number__isnull=False)
    qs = filter_orders(qs, state=state or None, unit=unit, q=q)
    if month:
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1)
        qs = qs.filter(issued_at__date__gte=start, issued_at__date__lt=end)
    return qs.order_by("number")


def register_rows(qs) -> list[dict]:
    """The register's rows as text in the active language: number, state, unit, travellers, places."""
    return register_display(list(qs.values(*REGISTER_FIELDS)))


def register_display(rows: list[dict]) -> list[dict]:
    """``register_rows`` for rows already read (a page)."""
    states = dict(State.choices)
    rows = add_travellers_and_places(rows)
    for r in rows:
        r["label"] = MissionOrder.format_number(r["number"], r["issuing_unit__abbreviation_km"],
                                                r["issuing_unit__abbreviation_en"])
        r["state_label"] = str(states.get(r["state"], r["state"]))
        r["unit"] = in_language(r["requesting_unit__name_km"], r["requesting_unit__name_en"])
        r["people"] = ", ".join(Official.format_name(h, km, latin) for h, km, latin, _head in r["travellers"])
        r["places"] = ", ".join(
            Province.place_label(kind, name_km, name_en) if kind else Leg.foreign_place(country, city)
            for kind, name_km, name_en, country, city in r["destinations"])
    return rows


# --- statistics ---------------------------------------------------------------------------------


def facts(scope: str, year: int):
    qs = MissionFact.objects.filter(year=year)
    if scope:
        qs = qs.filter(unit_path__startswith=scope)
    return qs


TOTALS = {"missions": Count("order"), "traveller_days": Sum("traveller_days"), "estimate": Sum("estimate"),
          "actual": Sum("actual")}


@dataclass
class Statistics:
    year: int
    totals: dict
    by_month: list
    by_unit: list
    by_province: list
    abroad: dict
    overdue_rate: float | None
    average_days_to_return: float | None
    province_days: dict


def statistics(scope: str, year: int, today: date | None = None) -> Statistics:
    """The year's missions, traveller-days and costs by month, unit (the scope's units one level down)
    and province; abroad against domestic; the overdue-return rate and the average days to return.

    Two reads of the year's rows: one grouped by (month, province, abroad, overdue, due), from which every
    total but the units' is added up here, and one grouped by unit."""
    today = today or timezone.localdate()
    qs = facts(scope, year)
    groups = list(
        qs.annotate(due=Case(When(return_date__lt=today, then=True), default=False, output_field=BooleanField()))
        .values("month", "province_id", "abroad", "overdue", "due")
        .annotate(missions=Count("order"), traveller_days=Sum("traveller_days"), estimate=Sum("estimate"),
                  actual=Sum("actual"), returned_days=Sum("days_to_return"), returned=Count("days_to_return"))
        .order_by())

    def total(rows):
        out = {"missions": 0, "traveller_days": 0, "estimate": None, "actual": None}
        for row in rows:
            out["missions"] += row["missions"]
            out["traveller_days"] += row["traveller_days"] or 0
            for key in ("estimate", "actual"):
                if row[key] is not None:
                    out[key] = (out[key] or 0) + row[key]
        return out

    by_month = [{"month": m, **total(g for g in groups if g["month"] == m)} for m in range(1, 13)]
    by_province = [{**total(g for g in groups if g["province_id"] == p.pk and not g["abroad"]), "province": p}
                   for p in Province.objects.all()]
    due = [g for g in groups if g["due"]]
    due_count = sum(g["missions"] for g in due)
    overdue = sum(g["missions"] for g in due if g["overdue"])
    returned = sum(g["returned"] for g in groups)
    return Statistics(
        year=year, totals=total(groups), by_month=by_month, by_unit=_by_unit(qs, scope), by_province=by_province,
        abroad={"domestic": total(g for g in groups if not g["abroad"]),
                "abroad": total(g for g in groups if g["abroad"])},
        overdue_rate=(overdue / due_count) if due_count else None,
        average_days_to_return=(sum(g["returned_days"] or 0 for g in groups) / returned) if returned else None,
        province_days={row["province"].code: row["traveller_days"] or 0 for row in by_province},
    )


STATS_VERSION_KEY = "finance:facts-version"
STATS_KEEP = 64
_stats: dict = {}


def statistics_cached(scope: str, year: int) -> Statistics:
    """``statistics`` kept in this process until a statistics row changes (``services.fact_write`` bumps a
    version in the shared cache after its commit: one read per page) or the day changes."""
    version = cache.get(STATS_VERSION_KEY)
    if version is None:
        version = timezone.now().timestamp()
        cache.add(STATS_VERSION_KEY, version, None)
    today = timezone.localdate()
    key = (version, scope, year, today)
    found = _stats.get(key)
    if found is None:
        found = _stats[key] = statistics(scope, year, today)
        while len(_stats) > STATS_KEEP:
            _stats.pop(next(iter(_stats)))
    return found


def _by_unit(qs, scope: str) -> list[dict]:
    """Totals for each unit one level below the scope (for the whole Ministry: the general departments,
    the Cabinet…), each with its subtree, plus the scope's own unit."""
    if scope:
        top = Unit.objects.filter(path=scope).first()
    else:
        top = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if top is None:
        return []
    rows = {row["unit_path"]: row for row in qs.values("unit_path").annotate(**TOTALS)}
    children = list(top.children.order_by("path"))
    out = []
    own = rows.get(top.path)
    if own:
        out.append({"unit": top, **own})
    for child in children:
        total = {"missions": 0, "traveller_days": 0, "estimate": 0, "actual": 0}
        for path, row in rows.items():
            if path.startswith(child.path):
                for key in total:
                    total[key] += row[key] or 0
        if total["missions"]:
            out.append({"unit": child, **total})
    return out


# --- who is away -----------------------------------------------------------------------------------

AWAY_STATES = (State.ISSUED, State.RETURNED, State.SENT_BACK, State.ACCEPTED)


def period(view: str, anchor: date) -> tuple[date, date]:
    if view == "month":
        start = anchor.replace(day=1)
        return start, start.replace(day=cal.monthrange(start.year, start.month)[1])
    start = anchor - timedelta(days=anchor.weekday())
    return start, start + timedelta(days=6)


def away_officials(start: date, end: date, *, path: str = "", unit_id: int | None = None,
                   leadership: bool = False):
    """The keys of the active officials (of the subtree at ``path``, of the one unit ``unit_id``, or of the
    leadership group) on an issued mission in [start, end], by rank and name.  Their keys come from the calendar's own
    rows (``Absence``): a month of a general department at 100 000 orders is a few hundred index entries,
    where joining the period's orders to their travellers read 6 000 orders."""
    rows = Absence.objects.filter(return_date__gte=start, departure_date__lte=end)
    if leadership:
        rows = rows.filter(leadership=True)
    elif unit_id is not None:
        rows = rows.filter(official__unit_id=unit_id)
    else:
        rows = rows.filter(unit_path__startswith=path)
    # one query with a sub-select: a list of a thousand keys as parameters cost more to send than to run
    people = (Official.objects.filter(pk__in=rows.order_by().values("official_id"), active=True)
              .values_list("position__rank", "name_latin", "id"))
    return [pk for _rank, _name, pk in sorted(people)]


def officials_by_keys(keys) -> list:
    """The officials of ``keys`` (a page of ``away_officials``), in that order."""
    found = Official.objects.filter(pk__in=keys).select_related("position").in_bulk()
    return [found[k] for k in keys if k in found]


def away(officials, start: date, end: date) -> list[dict]:
    """Each official of ``officials`` (a page of ``away_officials``) with their trips in [start, end]."""
    officials = list(officials)
    rows = (Absence.objects.filter(return_date__gte=start, departure_date__lte=end,
                                   official_id__in=[o.pk for o in officials])
            .values("official_id", "order_id", "departure_date", "return_date").order_by("departure_date"))
    trips: dict[int, list] = {}
    for row in rows:
        trips.setdefault(row["official_id"], []).append(
            {"order_id": row["order_id"], "order__departure_date": row["departure_date"],
             "order__return_date": row["return_date"]})
    return [{"official": o, "trips": trips.get(o.pk, [])} for o in officials]




@dataclass
class MonthlyReport:
    year: int
    month: int
    totals: dict
    by_unit: list
    by_province: list
    abroad: dict
    missions: list


REPORT_ROWS = 2000


def monthly_report(scope: str, year: int, month: int) -> MonthlyReport:
    """One month of the statistics, with the list of its missions (by departure)."""
    qs = facts(scope, year).filter(month=month)
    totals = qs.aggregate(**TOTALS)
    rows = {row["province"]: row for row in qs.filter(abroad=False).values("province").annotate(**TOTALS)}
    by_province = [{**rows[p.pk], "province": p} for p in Province.objects.all() if p.pk in rows]
    abroad = {row["abroad"]: row for row in qs.values("abroad").annotate(**TOTALS)}
    missions = list(qs.select_related("order__issuing_unit", "unit", "province")
                    .order_by("departure_date", "order_id")[:REPORT_ROWS])
    return MonthlyReport(year=year, month=month, totals=totals, by_unit=_by_unit(qs, scope), by_province=by_province,
                         abroad={"domestic": abroad.get(False, {}), "abroad": abroad.get(True, {})},
                         missions=missions)


CLASH_STATES = (State.SUBMITTED, State.APPROVED, State.ISSUED, State.RETURNED, State.SENT_BACK, State.ACCEPTED)


def clashes(order) -> list[dict]:
    """The travellers of ``order`` who are already on another mission on overlapping dates (the check the
    submission makes), for the order page: who, which order, when."""
    rows = (Traveller.objects.filter(official__in=order.travellers.values("official_id"),
                                     order__state__in=CLASH_STATES, order__departure_date__lte=order.return_date,
                                     order__return_date__gte=order.departure_date)
            .exclude(order=order).select_related("official")
            .values("official__honorific", "official__name_km", "official__name_latin", "order_id",
                    "order__departure_date", "order__return_date")[:20])
    return [{"name": Official.format_name(r["official__honorific"], r["official__name_km"], r["official__name_latin"]),
             "order_id": r["order_id"], "start": r["order__departure_date"], "end": r["order__return_date"]}
            for r in rows]
